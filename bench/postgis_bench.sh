#!/usr/bin/env bash
# PostGIS in and out (issue 19): `hotspot run` reading N incidents from a PostGIS table and
# writing its layers back to a schema, against the same run on files (GeoPackage in, folder out).
# Usage: bench/postgis_bench.sh [build/hotspot] [N=1000000]
# Starts its own throwaway server (tests/postgis/pg_server.sh); needs postgresql + postgis.
set -euo pipefail
H=${1:-build/hotspot}; N=${2:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/hotspot-pgbench.XXXXXX)
out=$(bash "$here/tests/postgis/pg_server.sh" start)
dir=${out%%$'\t'*}; C=${out#*$'\t'}
trap 'bash "$here/tests/postgis/pg_server.sh" stop "$dir"; rm -rf "$work"' EXIT
"$H" demo-data --out "$work/demo" --incidents "$N" >/dev/null
ogr2ogr -f GPKG "$work/inc.gpkg" "$work/demo/incidents.csv" -nln incidents -a_srs EPSG:27700 \
  -oo X_POSSIBLE_NAMES=easting -oo Y_POSSIBLE_NAMES=northing -oo KEEP_GEOM_COLUMNS=NO
t0=$(date +%s.%N)
ogr2ogr -f PostgreSQL "$C" "$work/inc.gpkg" -nln incidents
t1=$(date +%s.%N)
echo "load into PostGIS (ogr2ogr, not hotspot): $(echo "$t1 - $t0" | bc) s"
args="--crs EPSG:27700 --profiles all-crime --period-from 2025-07 --period-to 2025-12
  --areas ward=$work/demo/wards.geojson:ward_code:ward_name --population ward=$work/demo/ward_population.csv"
/usr/bin/time -f "file run (GeoPackage in, folder out): %e s wall, %M KB max RSS" \
  "$H" -q run --incidents "$work/inc.gpkg" $args --out "$work/file"
/usr/bin/time -f "PostGIS run (table in, schema out): %e s wall, %M KB max RSS" \
  "$H" -q run --incidents "$C|layername=incidents" $args --out "$C schema=bench"
psql_rows=$(ogrinfo -ro -so "$C schemas=bench" all_crime_incidents | grep "Feature Count")
echo "incidents layer in the schema: $psql_rows"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
