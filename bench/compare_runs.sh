#!/usr/bin/env bash
# Before/after comparison of a real-data run (issue 13): builds `hotspot` at BASE (a git commit)
# from a copy of that commit, runs CONFIG with that binary and with the current one (AFTER,
# default build/hotspot), and compares the two output folders with bench/compare_runs.py: every
# layer of the GeoPackage field by field (sqlite3), every GeoTIFF (gdalinfo -checksum: size,
# geotransform, CRS, band checksum, every tag), every .qml/.qgs, and the manifest key by key.
# Each difference it prints should be one listed in the README's changelog.
#
#   bench/compare_runs.sh BASE [CONFIG] [AFTER_BINARY]
#     BASE          a commit (e.g. 3513f80)
#     CONFIG        default examples/leicestershire.toml (needs ../shared/data)
#     AFTER_BINARY  default build/hotspot (build it first)
#   env: WORK (default build-compare/, ignored by git), JOBS (default 1), THREADS (default 2),
#        STEP=before|after|compare to do one step only (the base run once, the after run as
#        often as the branch changes)
#
# The base tree is extracted with `git archive` into $WORK/base and built in $WORK/base/build,
# the same layout as build/ beside the source, so ccache (CCACHE_BASEDIR) reuses objects
# compiled before. Outputs: $WORK/before, $WORK/after, $WORK/compare.txt. Exit status: that of
# compare_runs.py (0 identical, 1 differences listed), 2 on a usage error, 3 when a run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[[ $# -ge 1 ]] || { sed -n '2,21p' "$0"; exit 2; }
base=$1
config=${2:-examples/leicestershire.toml}
after_bin=${3:-build/hotspot}
work=${WORK:-$root/build-compare}
jobs=${JOBS:-1}
threads=${THREADS:-2}
[[ -x $after_bin ]] || { echo "compare_runs.sh: $after_bin: no binary; build it first (cmake --build build --target hotspot)" >&2; exit 2; }
[[ -f $config ]] || { echo "compare_runs.sh: $config: no such config file" >&2; exit 2; }
git rev-parse --verify -q "$base^{commit}" >/dev/null || { echo "compare_runs.sh: $base: not a commit of this repository" >&2; exit 2; }

mkdir -p "$work"
if [[ ! -x $work/base/build/hotspot || "$(cat "$work/base/COMMIT" 2>/dev/null)" != "$(git rev-parse "$base")" ]]; then
    echo "== building hotspot at $base in $work/base"
    rm -rf "$work/base"
    mkdir -p "$work/base"
    git archive "$base" | tar -x -C "$work/base"
    git rev-parse "$base" > "$work/base/COMMIT"
    [[ -f /etc/profile.d/ccache_hotspot.sh ]] && source /etc/profile.d/ccache_hotspot.sh
    cmake -S "$work/base" -B "$work/base/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$work/base/build" -j"$jobs" --target hotspot >"$work/base-build.log" 2>&1 ||
        { echo "compare_runs.sh: building $base failed; see $work/base-build.log" >&2; exit 3; }
fi

run() {  # run BINARY OUTDIR
    echo "== $1 run $config --out $2"
    rm -rf "$2"
    if ! "$1" run "$config" --out "$2" --threads "$threads" >"$2.log" 2>&1; then
        echo "compare_runs.sh: the run with $1 failed; see $2.log" >&2
        exit 3
    fi
}
step=${STEP:-all}
[[ $step == all || $step == before ]] && run "$work/base/build/hotspot" "$work/before"
[[ $step == all || $step == after ]] && run "$root/$after_bin" "$work/after"
[[ $step == before || $step == after ]] && exit 0

echo "== python3 bench/compare_runs.py before after"
set +e
python3 bench/compare_runs.py "$work/before" "$work/after" | tee "$work/compare.txt"
rc=${PIPESTATUS[0]}
echo "== base $(git rev-parse --short "$base"), after $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes'); report in $work/compare.txt"
exit "$rc"
