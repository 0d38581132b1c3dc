#!/usr/bin/env bash
# Tiled density runs (README, "Tiled runs"): cut a big job into rectangular tiles with a
# bandwidth-wide overlap, run each tile as an independent `hotspot kde`, merge the tiles' rasters
# with GDAL (a VRT, then a COG). No scheduler of our own: `run` hands the tiles to GNU Parallel
# (xargs -P when parallel is absent); k8s-indexed-job.yaml and slurm-array.sh run the same
# `one` command on a cluster.
#
#   tiles.sh split --extent XMIN,YMIN,XMAX,YMAX --cell C --radius R [--nx 2] [--ny 2]
#                  [--margin M] [--x FIELD --y FIELD --srs EPSG:27700] --out DIR  INPUT.csv...
#       Core extents on multiples of C (so the tiles' grids are disjoint pieces of one grid with
#       origin (0, 0)); each tile's incidents are those in its core grown by M (default R + 2 C,
#       and 1000 m more when --srs is not EPSG:27700: a projected rectangle's sides curve).
#       Writes DIR/tiles.tsv (id, core extent, read extent) and DIR/tile_<id>/<k>.csv.
#   tiles.sh run DIR [--jobs N] -- HOTSPOT kde ARGS...
#       Saves the command to DIR/command and runs `tiles.sh one DIR ID` for every tile.
#   tiles.sh one DIR ID
#       One tile: the saved command + --extent CORE --incidents DIR/tile_ID/*.csv
#       --out DIR/tile_ID/density.tif --overwrite. ID defaults to $JOB_COMPLETION_INDEX
#       (Kubernetes Indexed Job) or $SLURM_ARRAY_TASK_ID (Slurm array).
#   tiles.sh merge DIR OUT.tif
#       Refuses tiles whose values are not tile-invariant (relative units, Diggle edge
#       correction), then gdalbuildvrt DIR/merged.vrt + gdal_translate -of COG OUT.tif.
#
# Exit codes as hotspot's: 2 usage, 3 input, 4 output; `one` passes on the tile's own code, and
# `run` fails when a tile fails (GNU Parallel stops the others; xargs exits 123).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "tiles: $2" >&2; exit "$1"; }

split_tiles() {
    local extent="" cell="" radius="" nx=2 ny=2 margin="" xf="x" yf="y" srs="EPSG:27700" out=""
    local inputs=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --extent) extent=$2; shift 2 ;;
        --cell) cell=$2; shift 2 ;;
        --radius) radius=$2; shift 2 ;;
        --nx) nx=$2; shift 2 ;;
        --ny) ny=$2; shift 2 ;;
        --margin) margin=$2; shift 2 ;;
        --x) xf=$2; shift 2 ;;
        --y) yf=$2; shift 2 ;;
        --srs) srs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -*) die 2 "split: unknown option $1" ;;
        *) inputs+=("$1"); shift ;;
        esac
    done
    [ -n "$extent" ] && [ -n "$cell" ] && [ -n "$radius" ] && [ -n "$out" ] ||
        die 2 "split: give --extent, --cell, --radius and --out"
    [ ${#inputs[@]} -gt 0 ] || die 2 "split: give at least one incident CSV"
    for f in "${inputs[@]}"; do [ -r "$f" ] || die 3 "split: $f: cannot read it"; done
    if [ -z "$margin" ]; then
        margin=$(awk -v r="$radius" -v c="$cell" 'BEGIN { printf "%.17g", r + 2 * c }')
        [ "$srs" = "EPSG:27700" ] || margin=$(awk -v m="$margin" 'BEGIN { printf "%.17g", m + 1000 }')
    fi
    mkdir -p "$out" || die 4 "split: cannot create $out"
    # Core boundaries: the extent snapped outward to the cell, cut at whole cells.
    awk -v e="$extent" -v c="$cell" -v nx="$nx" -v ny="$ny" -v m="$margin" '
        function floor(v) { return v == int(v) ? v : (v < 0 ? int(v) - 1 : int(v)) }
        function ceil(v) { return -floor(-v) }
        BEGIN {
            if (split(e, b, ",") != 4 || c <= 0 || nx < 1 || ny < 1) exit 2
            x0 = floor(b[1] / c); y0 = floor(b[2] / c); x1 = ceil(b[3] / c); y1 = ceil(b[4] / c)
            ncol = x1 - x0; nrow = y1 - y0
            if (ncol < nx || nrow < ny) exit 2
            id = 0
            for (j = 0; j < ny; ++j) for (i = 0; i < nx; ++i) {
                xa = (x0 + int(i * ncol / nx)) * c; xb = (x0 + int((i + 1) * ncol / nx)) * c
                yb = (y1 - int(j * nrow / ny)) * c; ya = (y1 - int((j + 1) * nrow / ny)) * c
                printf "%d\t%.17g,%.17g,%.17g,%.17g\t%.17g,%.17g,%.17g,%.17g\n", id++, xa, ya, xb, yb,
                       xa - m, ya - m, xb + m, yb + m
            }
        }' > "$out/tiles.tsv" || die 2 "split: --extent must be XMIN,YMIN,XMAX,YMAX, at least --nx x --ny cells"
    local k=0 f id core read
    for f in "${inputs[@]}"; do
        # A VRT names the point columns and their CRS, so ogr2ogr's -spat can cut by them; the
        # rows go out as they came (every column as text), without a geometry column.
        local layer vrt
        layer=$(basename "${f%.*}")
        vrt="$out/input_$k.vrt"
        cat > "$vrt" <<EOF
<OGRVRTDataSource><OGRVRTLayer name="incidents"><SrcDataSource>$(realpath "$f")</SrcDataSource>
<SrcLayer>$layer</SrcLayer><GeometryType>wkbPoint</GeometryType><LayerSRS>$srs</LayerSRS>
<GeometryField encoding="PointFromColumns" x="$xf" y="$yf"/></OGRVRTLayer></OGRVRTDataSource>
EOF
        while IFS=$'\t' read -r id core read; do
            mkdir -p "$out/tile_$id"
            IFS=, read -r a b c d <<< "$read"
            # The columns stay text (numbers would be re-printed), so GDAL warns that it cannot
            # turn the filter into an attribute filter: its messages are shown only on failure.
            ogr2ogr -q -f CSV -lco STRING_QUOTING=IF_NEEDED -overwrite "$out/tile_$id/$k.csv" "$vrt" \
                -spat "$a" "$b" "$c" "$d" -spat_srs EPSG:27700 2> "$out/ogr2ogr.log" || {
                cat "$out/ogr2ogr.log" >&2
                die 3 "split: ogr2ogr could not cut $f (tile $id); check --x/--y/--srs"
            }
        done < "$out/tiles.tsv"
        k=$((k + 1))
    done
    echo "tiles: $(wc -l < "$out/tiles.tsv") tiles in $out (overlap $margin m)"
}

run_one() {
    local dir=$1 id=${2:-${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-}}}
    [ -n "$id" ] || die 2 "one: give a tile id (or set JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID)"
    [ -r "$dir/command" ] || die 2 "one: $dir/command is missing; run 'tiles.sh run' first (it saves the command)"
    local core
    core=$(awk -F'\t' -v id="$id" '$1 == id { print $2 }' "$dir/tiles.tsv")
    [ -n "$core" ] || die 2 "one: no tile $id in $dir/tiles.tsv"
    local cmd=()
    mapfile -t cmd < "$dir/command"
    "${cmd[@]}" --extent "$core" --incidents "$dir/tile_$id"/*.csv --out "$dir/tile_$id/density.tif" --overwrite
}

run_all() {
    local dir=$1 jobs
    shift
    jobs=$(nproc)
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        case "$1" in
        --jobs) jobs=$2; shift 2 ;;
        *) die 2 "run: unknown option $1 (the hotspot command follows --)" ;;
        esac
    done
    [ "${1:-}" = "--" ] || die 2 "run: give the hotspot command after --"
    shift
    [ $# -gt 0 ] || die 2 "run: give the hotspot command after --"
    [ -r "$dir/tiles.tsv" ] || die 2 "run: $dir/tiles.tsv is missing; run 'tiles.sh split' first"
    printf '%s\n' "$@" > "$dir/command"
    if command -v parallel > /dev/null; then
        cut -f1 "$dir/tiles.tsv" | parallel --halt now,fail=1 -j "$jobs" -q "$here/tiles.sh" one "$dir" {}
    else
        cut -f1 "$dir/tiles.tsv" | xargs -P "$jobs" -I{} "$here/tiles.sh" one "$dir" {}
    fi
}

merge() {
    local dir=$1 out=$2 m
    for m in "$dir"/tile_*/density.manifest.json; do
        [ -r "$m" ] || die 3 "merge: no tile manifest in $dir; did 'tiles.sh run' finish?"
        # Cell values that depend on the whole surface cannot be cut into tiles: refuse them.
        if grep -Eq '"units": *"relative"|"edge_correction": *"diggle"|"compat": *"(qgis|arcgis|spatstat)' "$m"; then
            die 2 "merge: $m: relative units, Diggle edge correction and compat grids are not tile-invariant; run untiled"
        fi
    done
    gdalbuildvrt -q -overwrite "$dir/merged.vrt" "$dir"/tile_*/density.tif || die 4 "merge: gdalbuildvrt failed"
    gdal_translate -q -of COG -co COMPRESS=DEFLATE -co PREDICTOR=3 "$dir/merged.vrt" "$out" ||
        die 4 "merge: gdal_translate could not write $out"
    echo "tiles: merged $(ls "$dir"/tile_*/density.tif | wc -l) tiles into $out ($dir/merged.vrt)"
}

case "${1:-}" in
split) shift; split_tiles "$@" ;;
run) shift; [ $# -ge 1 ] || die 2 "run: give DIR"; run_all "$@" ;;
one) shift; [ $# -ge 1 ] || die 2 "one: give DIR"; run_one "$@" ;;
merge) shift; [ $# -eq 2 ] || die 2 "merge: give DIR and OUT.tif"; merge "$@" ;;
*) die 2 "usage: tiles.sh split|run|one|merge ... (see the comment at the top of $0)" ;;
esac
