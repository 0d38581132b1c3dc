#!/usr/bin/env bash
# make demo: run the main job on the shipped demo town (shapes/demo) and say where the outputs are.
set -euo pipefail
HOTSPOT=${1:-build/hotspot}
OUT=${DEMO_OUT:-demo-out}
D=shapes/demo
mkdir -p "$OUT"

echo "== hotspot geocode: every incident of the demo town placed in its ward and LSOA"
"$HOTSPOT" geocode --incidents "$D/incidents.csv" --crs EPSG:27700 \
  --areas "ward=$D/wards.geojson:ward_code:ward_name" \
  --areas "lsoa=$D/lsoas.geojson:lsoa_code:lsoa_name" \
  --out "$OUT/demo_geocoded.gpkg" --manifest "$OUT/demo_geocoded.manifest.json" --overwrite

echo
echo "== hotspot kde: heat map of all incidents, quartic kernel, 250 m, 25 m cells"
"$HOTSPOT" kde --incidents "$D/incidents.csv" --crs EPSG:27700 \
  --areas "study=$D/wards.geojson:ward_code:ward_name" \
  --kernel quartic --bandwidth 250 --cell 25 --out "$OUT/demo_all_kde.tif" --png --overwrite

echo
echo "Outputs are in $OUT/:"
ls -1 "$OUT" | sed 's/^/  /'
echo "Open them in QGIS: Layer > Add Layer > Add Vector Layer ($OUT/demo_geocoded.gpkg, styled on load)"
echo "and Add Raster Layer ($OUT/demo_all_kde.tif; its style $OUT/demo_all_kde.qml is applied automatically)."
