#!/usr/bin/env bash
# make demo: run the main job on the shipped demo town and say where the outputs are.
set -euo pipefail
HOTSPOT=${1:-build/hotspot}
"$HOTSPOT" --help
