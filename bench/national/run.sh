#!/usr/bin/env bash
# National scaling bench (issue 20): bench/national/run.sh N [HOTSPOT] ; WORK (default
# /tmp/hotspot-national). Reprojects ../shared/data/boundaries/england_lsoa.gpkg to EPSG:27700,
# places N synthetic incidents by LSOA population (gen_national.py, deterministic), writes them as
# a police.uk CSV (to_policeuk.py) and times `hotspot run national.toml` (wall, CPU, peak RSS).
# Needs /usr/bin/python3 with GDAL's bindings (python3-gdal) and numpy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:?usage: run.sh N [HOTSPOT]}
bin=$(realpath "${2:-$here/../../build/hotspot}")
data=$(realpath "$here/../../../shared/data")
work=${WORK:-/tmp/hotspot-national}
mkdir -p "$work" && cd "$work"
[[ -f lsoa_bng.gpkg ]] || ogr2ogr -f GPKG -t_srs EPSG:27700 lsoa_bng.gpkg "$data/boundaries/england_lsoa.gpkg" england_lsoa -nln lsoa
cp "$data/population/lsoa_population.csv" "$here/national.toml" .
/usr/bin/python3 "$here/gen_national.py" lsoa_bng.gpkg lsoa_population.csv "$n" placed.csv
awk -F, 'BEGIN{OFS=","} NR==1{print "id,month,easting,northing,lsoa,category";next} {print $1,$2,$5,$6,$7,$8}' placed.csv > en.csv
/usr/bin/python3 "$here/to_policeuk.py" en.csv incidents.csv
rm -rf out
/usr/bin/time -f "hotspot run: %e s wall, %U s user, %S s sys, peak RSS %M KB" "$bin" run national.toml --overwrite -q
