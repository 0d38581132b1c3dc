#!/usr/bin/env bash
# make demo: run the main job on the shipped demo town (shapes/demo) and say where the outputs are.
set -euo pipefail
HOTSPOT=${1:-build/hotspot}
"$HOTSPOT" run examples/demo.toml --report --overwrite
OUT=demo-out/run
echo
echo "Outputs are in $OUT/:"
ls -1 "$OUT" | sed 's/^/  /'
echo
echo "Open $OUT/hotspot_run.qgs in QGIS (Project > Open): every layer opens styled, grouped by profile."
if [ -f "$OUT/report.html" ]; then
  echo "The tasking pack is $OUT/report.html: open it in any browser (no network needed); print it to PDF."
fi
