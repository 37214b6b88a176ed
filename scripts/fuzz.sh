#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for SECONDS, two at a time, from the seed corpora in
# fuzz/corpus/. New inputs go to BUILD/corpus/ (not committed); a crash leaves its input in
# BUILD/ and fails the run. Prints runs and executions per target.
#   scripts/fuzz.sh BUILD SECONDS
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD SECONDS}
seconds=${2:?usage: fuzz.sh BUILD SECONDS}
targets=(import json query datetime natord)

run_one() {
    local t=$1
    mkdir -p "$build/corpus/$t"
    if "$build/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build/crash-$t-" "$build/corpus/$t" "fuzz/corpus/$t" \
        >"$build/fuzz-$t.log" 2>&1; then
        local done_line
        done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$build/fuzz-$t.log" | tail -n 1)
        echo "fuzz_$t: ok, ${seconds}s: ${done_line}"
        return 0
    fi
    echo "fuzz_$t: FAILED, see $build/fuzz-$t.log" >&2
    grep -E 'ERROR|SUMMARY|Test unit written' "$build/fuzz-$t.log" >&2 || true
    return 1
}

failed=0
passed=0
pids=()
names=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    if [ ${#pids[@]} -ge 2 ]; then
        if wait "${pids[0]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do
    if wait "$pid"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
