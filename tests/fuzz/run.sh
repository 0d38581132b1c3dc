#!/usr/bin/env bash
# Runs every libFuzzer harness of BUILD_DIR for SECONDS each on its seed corpus.
# New interesting inputs go to BUILD_DIR/fuzz-corpus/<name>/ (not into the repository); a crash
# leaves BUILD_DIR/fuzz-artifacts/<name>/crash-* and fails the run. To keep a crash as a
# regression: fix it, then copy the crash file into tests/fuzz/corpus/<name>/ (the normal
# suite replays that folder, see tests/unit/test_fuzz_corpus.cpp).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/../lsan.supp}
status=0
for name in csv profile read config population; do
  exe="$build/tests/fuzz/fuzz_$name"
  work="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name/"
  mkdir -p "$work" "$artifacts"
  start=$(date +%s)
  # A fixed seed and a fixed number of runs (about SECONDS of work on this machine) make the
  # CI fuzz run repeatable: it passes or fails the same way every time; the time cap (3x) only
  # ever shortens that same sequence.
  case $name in csv) rate=2000 ;; profile|config) rate=400 ;; population) rate=300 ;; *) rate=15 ;; esac
  if "$exe" -seed=20251125 -runs=$(( seconds * rate )) -max_total_time=$(( seconds * 3 )) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "$here/corpus/$name" \
       >"$build/fuzz-$name.log" 2>&1; then
    echo "fuzz_$name: no crash in $(( $(date +%s) - start )) s ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-$name.log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz_$name: FAILED, see $build/fuzz-$name.log and $artifacts" >&2
    tail -40 "$build/fuzz-$name.log" >&2
    status=1
  fi
done
exit $status
