#!/usr/bin/env bash
# The benchmarks of hallpass (issue 6), each figure beside its baseline measured in the same run.
#
#   bench/run.sh [--build DIR] [--smoke] [--keep] [--out FILE]
#
# Full run (make bench): generates a school year of 1,000,000 passes and one of 10,000,000, then
#   1. imports the passes with `hallpass import passes` and, as the baseline, with sqlite3's own
#      .import into a bare table with one index (on the start time); medians of 3 runs each,
#      interleaved; peak memory of each with GNU time;
#   2. builds Room Usage and Staff Usage over the whole school year in process
#      (bench/report_bench.c) against GROUP BY queries over a covering index on the start time in
#      a plain table that sqlite3 .import loaded, at 1M and 10M passes, and checks that both give
#      the same numbers; then each insight the same way against SQL over a second covering index
#      (timed only: the table lacks refusals and overrides);
#   3. serves the 1M store with `hallpass serve` on 127.0.0.1 and loads it with wrk from a second
#      process: GET /api/reports/rooms?format=json with 64 connections (and, for reference,
#      GET /api/session, which builds no report), then POST /api/passes with 32 connections
#      through bench/passes.lua (now passes to rooms with limits, each ended by its creator's next
#      request); then sweeps the created passes' intervals for any limit exceeded
#      (bench/sweep.sql) and reads the server's peak memory (VmHWM);
#   4. creates now passes through the pass service from a kiosk (bench/rules_bench.c), each
#      ended at once, in a store with every pass rule off and one with every rule on (limits
#      high enough that none refuses), in alternating rounds; the ratio of the times is the
#      figure.
#   5. times whole processes on a SQLite demo store: `hallpass --help` and
#      `hallpass report rooms` beside `sqlite3 -version`, interleaved, medians of 101 runs each;
#      the target is a report within 2x the time of sqlite3 -version.
# It prints one table: what, figure, baseline, ratio, target, met.
#
# --smoke (make bench-smoke, part of make check): 20,000 passes, each step once, 2 s of wrk each;
# checks that every step runs, that the reports equal the baseline's, that wrk sees no errors and
# no limit is exceeded; says nothing about speed. Ends with "N passed, N failed"; exits 1 on any
# failure.
#
# --build DIR   where hallpass and bench/ programs are built (default: build); or set
#               HALLPASS_BIN, BENCH_GEN and REPORT_BENCH
# --keep        keep the temporary folder (BENCH_TMP, default a new one under TMPDIR)
# --out FILE    also write the table (and the facts of the run) to FILE
#
# Everything runs on this machine: wrk talks only to 127.0.0.1, for fixed durations, and every
# process started here is stopped by its PID at the end.
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=build
smoke=false
keep=false
out=""
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --smoke) smoke=true; shift ;;
    --keep) keep=true; shift ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac

HALLPASS_BIN=${HALLPASS_BIN:-$build/hallpass}
BENCH_GEN=${BENCH_GEN:-$build/bench/bench-gen}
REPORT_BENCH=${REPORT_BENCH:-$build/bench/report_bench}
RULES_BENCH=${RULES_BENCH:-$build/bench/rules_bench}

if $smoke; then
    PASSES=${PASSES:-20000}
    BIG=${BIG:-0}            # no 10M step
    RUNS=${RUNS:-1}          # import runs
    BIG_RUNS=${BIG_RUNS:-1}
    REPORT_RUNS=${REPORT_RUNS:-5}
    BASELINE_RUNS=${BASELINE_RUNS:-1}
    BIG_BASELINE_RUNS=${BIG_BASELINE_RUNS:-1}
    DURATION=${DURATION:-2}  # seconds of wrk per HTTP benchmark
else
    PASSES=${PASSES:-1000000}
    BIG=${BIG:-10000000}
    RUNS=${RUNS:-3}
    BIG_RUNS=${BIG_RUNS:-3}
    REPORT_RUNS=${REPORT_RUNS:-201}
    BASELINE_RUNS=${BASELINE_RUNS:-5}
    BIG_BASELINE_RUNS=${BIG_BASELINE_RUNS:-3}
    DURATION=${DURATION:-10}
fi
GET_CONNECTIONS=64
POST_CONNECTIONS=32
WRK_THREADS=2
PASSWORD=bench-password-1

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAILED: $*"; }
say() { echo "== $*"; }
die() { echo "run.sh: $*" >&2; finish 2; }

server_pid=""
tmp=""
stop_server() {
    [ -n "$server_pid" ] || return 0
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 100); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
        echo "run.sh: hallpass serve (pid $server_pid) did not stop on SIGTERM; killed" >&2
    fi
    wait "$server_pid" 2>/dev/null
    server_pid=""
}
finish() {
    local status=$1
    stop_server
    if [ -n "$tmp" ] && [ -d "$tmp" ]; then
        if $keep; then echo "kept $tmp"; else rm -rf "$tmp"; fi
    fi
    exit "$status"
}
trap 'finish 130' INT TERM

for tool in "$HALLPASS_BIN" "$BENCH_GEN" "$REPORT_BENCH"; do
    [ -x "$tool" ] || die "$tool is missing: build it first (cmake --build $build)"
done
for tool in sqlite3 wrk curl; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool)"
done
if [ ! -x /usr/bin/time ]; then
    echo "run.sh: GNU time is missing; installing it (apt-get install time)" >&2
    { apt-get install -y time >/dev/null 2>&1 || sudo -n apt-get install -y time >/dev/null 2>&1; } ||
        die "GNU time (/usr/bin/time) is needed for peak memory: apt-get install time"
fi

tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/hallpass-bench.XXXXXX")}
mkdir -p "$tmp" || die "cannot create $tmp"
# A copy of the binary, so that a rebuild during the run does not change what is measured.
cp "$HALLPASS_BIN" "$tmp/hallpass"
# With the modules it loads from beside itself: the PostgreSQL backend and the HTTP server.
cp "$(dirname "$HALLPASS_BIN")"/hallpass-*.so "$tmp/"
hallpass="$tmp/hallpass"

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"%s\", $* }" </dev/null; }
fmt_s() { calc "sprintf(\"%.2f s\", $1)"; }
fmt_mb() { calc "sprintf(\"%.1f MB\", $1 / 1024)"; }       # from KiB
fmt_us() { # microseconds, shown in the unit that fits
    calc "($1 >= 1000000) ? sprintf(\"%.2f s\", $1 / 1e6) : ($1 >= 1000) ? sprintf(\"%.2f ms\", $1 / 1e3) : sprintf(\"%.0f us\", $1)"
}

# --- The machine and the code -------------------------------------------------------------------
facts="$tmp/facts.txt"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "command: bench/run.sh $($smoke && echo --smoke) (passes $PASSES$([ "$BIG" -gt 0 ] && echo ", $BIG")," \
        "import runs $RUNS/$BIG_RUNS, report runs $REPORT_RUNS, baseline $BASELINE_RUNS/$BIG_BASELINE_RUNS, wrk ${DURATION}s)"
    echo "code: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
        [ -n "$(git -C "$root" status --porcelain -- src 2>/dev/null)" ] && echo ' (src/ with local changes)')"
    echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    echo "memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "kernel: $(uname -r); sqlite3 $(sqlite3 --version | cut -d' ' -f1); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
} >"$facts"
cat "$facts"

# --- Data -----------------------------------------------------------------------------------------
gen() { # DIR PASSES
    mkdir -p "$1" && "$BENCH_GEN" "$1" "$2" >"$1/gen.log" 2>&1
}
say "generating $PASSES passes"
small="$tmp/data-small"
if gen "$small" "$PASSES"; then ok "generated $PASSES passes"; else die "bench-gen failed: $(cat "$small/gen.log")"; fi
# The school year: the local dates of the first and the last pass (the generator writes them in
# order of day, with the school's offset).
from=$(sed -n 2p "$small/passes.csv" | cut -d, -f8 | cut -c1-10)
to=$(tail -n 1 "$small/passes.csv" | cut -d, -f8 | cut -c1-10)
echo "school year: $from to $to"
big_dir="$tmp/data-big"
if [ "$BIG" -gt 0 ]; then
    say "generating $BIG passes"
    if gen "$big_dir" "$BIG"; then ok "generated $BIG passes"; else die "bench-gen failed"; fi
    echo "$(du -h "$big_dir/passes.csv" | cut -f1) of CSV"
fi

# --- 1. Imports -----------------------------------------------------------------------------------
# A new store with the school, its rooms and users (not timed), then the timed passes import.
new_store() { # STORE DATA_DIR
    rm -f "$1" "$1-wal" "$1-shm"
    "$hallpass" init --db "$1" --school "Bench High" --timezone America/Chicago >/dev/null &&
        "$hallpass" import rooms --db "$1" "$2/rooms.csv" >/dev/null &&
        "$hallpass" import users --db "$1" "$2/users.csv" >/dev/null
}
# The baseline: sqlite3's .import of the same file into a bare table with one index.
baseline_import_sql() { # CSV
    cat <<EOF
CREATE TABLE passes(id TEXT, student TEXT, origin TEXT, destination TEXT, creator TEXT,
                    source TEXT, type TEXT, start TEXT, "end" TEXT, cancelled TEXT);
CREATE INDEX passes_by_start ON passes(start);
.mode csv
.import --skip 1 '$1' passes
EOF
}
# Runs a command under GNU time; prints "SECONDS KIB".
timed() { # LOG COMMAND...
    local log=$1
    shift
    /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1
    local rc=$?
    cat "$log.time" | tail -n 1
    return $rc
}

declare -A import_s import_kb base_s base_kb
import_bench() { # LABEL DATA_DIR ROWS RUNS
    local label=$1 dir=$2 rows=$3 runs=$4 hs=() hk=() bs=() bk=()
    say "import of $rows passes: hallpass import passes vs sqlite3 .import, $runs run(s) each"
    for r in $(seq 1 "$runs"); do
        local store="$tmp/store-$label.db" base="$tmp/import-baseline-$label.db" t
        new_store "$store" "$dir" || die "preparing the store failed"
        if t=$(timed "$tmp/import-$label.log" "$hallpass" import passes --db "$store" "$dir/passes.csv") &&
            grep -q "$rows passes added" "$tmp/import-$label.log"; then
            hs+=("${t% *}") hk+=("${t#* }")
            echo "  run $r: hallpass import passes ${t% *} s, peak ${t#* } KiB"
        else
            fail "hallpass import passes of $rows rows: $(tail -n 3 "$tmp/import-$label.log")"
            return
        fi
        rm -f "$base"
        baseline_import_sql "$dir/passes.csv" >"$tmp/import-baseline.sql"
        if t=$(timed "$tmp/import-baseline-$label.log" sqlite3 -init /dev/null "$base" \
            ".read $tmp/import-baseline.sql") &&
            [ "$(sqlite3 "$base" 'SELECT count(*) FROM passes')" = "$rows" ]; then
            bs+=("${t% *}") bk+=("${t#* }")
            echo "  run $r: sqlite3 .import ${t% *} s, peak ${t#* } KiB"
        else
            fail "sqlite3 .import of $rows rows: $(tail -n 3 "$tmp/import-baseline-$label.log")"
            return
        fi
        rm -f "$base"
    done
    import_s[$label]=$(median "${hs[@]}")
    import_kb[$label]=$(printf '%s\n' "${hk[@]}" | sort -g | tail -n 1)
    base_s[$label]=$(median "${bs[@]}")
    base_kb[$label]=$(printf '%s\n' "${bk[@]}" | sort -g | tail -n 1)
    ok "import of $rows passes: hallpass ${import_s[$label]} s (peak $(fmt_mb "${import_kb[$label]}")), sqlite3 .import ${base_s[$label]} s (peak $(fmt_mb "${base_kb[$label]}"))"
}
import_bench small "$small" "$PASSES" "$RUNS"
[ "$BIG" -gt 0 ] && import_bench big "$big_dir" "$BIG" "$BIG_RUNS"

# --- 2. Reports -----------------------------------------------------------------------------------
# The baseline's table: the same passes by sqlite3 .import, with a covering index on the start time
# (and the rooms and users, so that the baseline's report has a row for every room and staff member).
report_baseline() { # DB DATA_DIR
    rm -f "$1"
    sqlite3 -init /dev/null "$1" <<EOF
CREATE TABLE passes(id TEXT, student TEXT, origin TEXT, destination TEXT, creator TEXT,
                    source TEXT, type TEXT, start TEXT, "end" TEXT, cancelled TEXT);
CREATE INDEX passes_by_start_covering
    ON passes(start, origin, destination, creator, source, type, cancelled);
.mode csv
.import '$2/rooms.csv' rooms
.import '$2/users.csv' users
.import --skip 1 '$2/passes.csv' passes
EOF
}
declare -A rep
INSIGHTS="daily heatmap durations students limits rules sources encounters"
report_bench() { # LABEL STORE DATA_DIR BASELINE_RUNS [--also STORE]
    local label=$1 store=$2 dir=$3 base_runs=$4 base="$tmp/report-baseline-$1.db" log="$tmp/report-$1.log"
    shift 4
    say "reports over $from to $to at $label: hallpass (in process) vs GROUP BY in sqlite3"
    report_baseline "$base" "$dir" || { fail "loading the report baseline ($label)"; return; }
    "$REPORT_BENCH" --store "$store" --baseline "$base" --from "$from" --to "$to" \
        --runs "$REPORT_RUNS" --baseline-runs "$base_runs" "$@" >"$log" 2>&1
    local rc=$?
    sed 's/^/  /' "$log"
    for kind in rooms staff; do
        if grep -q "^check $kind .* equal$" "$log"; then
            ok "$kind report at $label equals the baseline's"
        else
            fail "$kind report at $label: hallpass and the baseline differ (or did not run)"
        fi
        for who in hallpass baseline also; do
            rep[$label.$who.$kind]=$(grep "^${who}_$kind " "$log" | sed 's/.*median_us=\([0-9.]*\).*/\1/')
        done
    done
    # The insights: timed beside their SQL, not compared (the passes table lacks refusals).
    for kind in $INSIGHTS; do
        grep -q "^rows $kind " "$log" || fail "$kind insight at $label did not run"
        for who in hallpass baseline also; do
            rep[$label.$who.$kind]=$(grep "^${who}_$kind " "$log" | sed 's/.*median_us=\([0-9.]*\).*/\1/')
        done
    done
    [ $rc -le 1 ] || fail "report_bench at $label exited $rc"
    rm -f "$base"
}
[ -f "$tmp/store-small.db" ] && report_bench small "$tmp/store-small.db" "$small" "$BASELINE_RUNS"
[ "$BIG" -gt 0 ] && [ -f "$tmp/store-big.db" ] && report_bench big "$tmp/store-big.db" "$big_dir" "$BIG_BASELINE_RUNS" \
    --also "$tmp/store-small.db"
rm -rf "$big_dir" "$tmp/store-big.db"

# --- 3. HTTP --------------------------------------------------------------------------------------
declare -A http
http_bench() {
    local store="$tmp/store-http.db" log="$tmp/serve.log"
    cp "$tmp/store-small.db" "$store" || { fail "no store to serve"; return; }
    for email in staff1@bench.example staff6@bench.example; do # an admin, a teacher
        echo "$PASSWORD" | "$hallpass" user passwd --db "$store" --email "$email" --password-stdin \
            >/dev/null || { fail "setting a password"; return; }
    done
    say "hallpass serve on 127.0.0.1, wrk from a second process"
    "$hallpass" serve --db "$store" --listen 127.0.0.1:0 >"$log" 2>&1 &
    server_pid=$!
    local address=""
    for _ in $(seq 1 100); do
        address=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$log" | head -n 1)
        [ -n "$address" ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$address" ]; then
        fail "hallpass serve did not start: $(tail -n 3 "$log")"
        stop_server
        return
    fi
    ok "hallpass serve (pid $server_pid) listening on $address"
    local url="http://$address"
    sign_in() { # EMAIL -> the session token
        curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
            -d "{\"email\": \"$1\", \"password\": \"$PASSWORD\"}" "$url/api/session" |
            tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: hallpass_session=\([^;]*\).*/\1/p'
    }
    local admin teacher
    admin=$(sign_in staff1@bench.example)
    teacher=$(sign_in staff6@bench.example)
    if [ -z "$admin" ] || [ -z "$teacher" ]; then
        fail "signing in"
        stop_server
        return
    fi

    # The report over the school year, as JSON.
    local path="/api/reports/rooms?format=json&from=$from&to=$to"
    wrk -t"$WRK_THREADS" -c"$GET_CONNECTIONS" -d"${DURATION}s" --latency \
        -H "Cookie: hallpass_session=$admin" "$url$path" >"$tmp/wrk-get.log" 2>&1
    sed 's/^/  /' "$tmp/wrk-get.log"
    http[get.rps]=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk-get.log")
    http[get.p99]=$(p99_ms "$tmp/wrk-get.log")
    local non2xx errors
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$tmp/wrk-get.log")
    errors=$(socket_errors "$tmp/wrk-get.log")
    if [ -n "${http[get.rps]}" ] && [ -z "$non2xx" ] && [ "$errors" = 0 ]; then
        ok "GET $path: ${http[get.rps]} requests/s, p99 ${http[get.p99]} ms, no errors"
    else
        fail "GET $path: non-2xx ${non2xx:-0}, socket errors $errors"
    fi

    # For reference: a signed-in request that builds no report (the session and the user are
    # read from the store as for a report), to tell the HTTP layer's cost from the report's.
    wrk -t"$WRK_THREADS" -c"$GET_CONNECTIONS" -d"${DURATION}s" --latency \
        -H "Cookie: hallpass_session=$admin" "$url/api/session" >"$tmp/wrk-session.log" 2>&1
    http[session.rps]=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk-session.log")
    http[session.p99]=$(p99_ms "$tmp/wrk-session.log")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$tmp/wrk-session.log")
    errors=$(socket_errors "$tmp/wrk-session.log")
    if [ -n "${http[session.rps]}" ] && [ -z "$non2xx" ] && [ "$errors" = 0 ]; then
        ok "GET /api/session: ${http[session.rps]} requests/s, p99 ${http[session.p99]} ms, no errors"
    else
        fail "GET /api/session: non-2xx ${non2xx:-0}, socket errors $errors"
    fi

    # Passes under the limits: now passes from classrooms (Room 9 to 150, one in seven with
    # at most 2 passes from it) to the restrooms (Room 1 to 8, at most 3 passes to each), for
    # 2,000 students; each created pass is ended by the connection's next request.
    wrk -t"$WRK_THREADS" -c"$POST_CONNECTIONS" -d"${DURATION}s" --latency -s "$here/passes.lua" \
        -H "Cookie: hallpass_session=$teacher" "$url/api/passes" -- 2000 9 150 1 8 \
        >"$tmp/wrk-post.log" 2>&1
    sed 's/^/  /' "$tmp/wrk-post.log"
    local line seconds
    line=$(grep '^passes created=' "$tmp/wrk-post.log")
    seconds=$(sed -n 's/.* requests in \([0-9.]*\)s,.*/\1/p' "$tmp/wrk-post.log")
    http[post.created]=$(echo "$line" | sed -n 's/.*created=\([0-9]*\).*/\1/p')
    http[post.refused]=$(echo "$line" | sed -n 's/.*refused_limit=\([0-9]*\).*/\1/p')
    local other
    other=$(echo "$line" | sed -n 's/.* other=\([0-9]*\).*/\1/p')
    http[post.p99]=$(p99_ms "$tmp/wrk-post.log")
    errors=$(socket_errors "$tmp/wrk-post.log")
    if [ -n "${http[post.created]}" ] && [ -n "$seconds" ] && [ "${http[post.created]}" -gt 0 ] &&
        [ "$other" = 0 ] && [ "$errors" = 0 ]; then
        http[post.rate]=$(calc "${http[post.created]} / $seconds")
        ok "POST /api/passes: ${http[post.created]} passes in $seconds s, p99 ${http[post.p99]} ms, no errors"
    else
        fail "POST /api/passes: ${line:-no summary}, socket errors $errors"
    fi

    http[serve.kb]=$(awk '/^VmHWM:/ {print $2}' "/proc/$server_pid/status" 2>/dev/null)
    stop_server
    http[requests]=$(grep -c ' /api/' "$log")
    echo "  hallpass serve: peak memory ${http[serve.kb]} KiB, ${http[requests]} requests logged"

    # No limit ever exceeded: a sweep over the created passes' intervals, in the store.
    sqlite3 -init /dev/null -readonly "$store" ".read $here/sweep.sql" >"$tmp/sweep.log" 2>&1
    sed 's/^/  /' "$tmp/sweep.log"
    http[sweep]=$(sed -n 's/^checked \([0-9]*\) passes, \([0-9]*\) over a limit$/\2/p' "$tmp/sweep.log")
    http[swept]=$(sed -n 's/^checked \([0-9]*\) passes, .*/\1/p' "$tmp/sweep.log")
    if [ "${http[sweep]}" = 0 ] && [ "${http[swept]:-0}" -gt 0 ]; then
        ok "no room limit or active-pass rule exceeded by ${http[swept]} created passes"
    else
        fail "limits exceeded or not checked: $(tr '\n' ' ' <"$tmp/sweep.log")"
    fi
    rm -f "$store" "$store-wal" "$store-shm"
}
p99_ms() { # WRK_LOG: the 99th percentile of latency in ms
    awk '$1 == "99%" { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
        m = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1;
        printf "%.2f", v * m }' "$1"
}
socket_errors() { # WRK_LOG: the sum of wrk's socket errors
    awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10; found = 1 }
        END { if (!found) print 0 }' "$1"
}
if [ -f "$tmp/store-small.db" ]; then http_bench; else fail "no store for the HTTP benchmarks"; fi

# --- 4. The pass rules ----------------------------------------------------------------------------
declare -A rules
RULES_PASSES=$($smoke && echo 200 || echo 4000)
say "pass rules: $RULES_PASSES now passes with every rule off, and as many with every rule on"
if rules_out=$("$RULES_BENCH" --dir "$tmp" --passes "$RULES_PASSES"); then
    echo "$rules_out"
    rules[none]=$(echo "$rules_out" | sed -n 's/^rules_none passes_per_s=\([0-9]*\).*/\1/p')
    rules[all]=$(echo "$rules_out" | sed -n 's/^rules_all passes_per_s=\([0-9]*\).*/\1/p')
    rules[ratio]=$(echo "$rules_out" | sed -n 's/^rules ratio=\([0-9.]*\).*/\1/p')
    if [ -n "${rules[ratio]}" ]; then ok "pass rules benchmark"; else fail "rules_bench printed no ratio"; fi
else
    fail "rules_bench exited $?"
fi

# --- 5. Start-up ---------------------------------------------------------------------------------
# Whole processes, timed from bash (its fork and exec count alike for all three), interleaved so
# that a busy moment of the machine falls on all of them.
declare -A startup
STARTUP_RUNS=${STARTUP_RUNS:-$($smoke && echo 3 || echo 101)}
say "start-up: hallpass --help, hallpass report rooms on the demo store, sqlite3 -version; $STARTUP_RUNS runs each"
if "$hallpass" demo --db "$tmp/startup-demo.db" --no-serve >/dev/null; then
    declare -a t_help=() t_report=() t_sqlite=()
    startup_ok=true
    time_us() { # COMMAND...: its wall time in microseconds
        local t0=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || return 1
        local t1=$EPOCHREALTIME
        echo $(( (${t1/./} - ${t0/./}) ))
    }
    for ((i = 0; i < STARTUP_RUNS; i++)); do
        t=$(time_us "$hallpass" --help) && t_help+=("$t") || startup_ok=false
        t=$(time_us "$hallpass" report rooms --db "$tmp/startup-demo.db") && t_report+=("$t") || startup_ok=false
        t=$(time_us sqlite3 -version) && t_sqlite+=("$t") || startup_ok=false
    done
    if $startup_ok; then
        startup[help]=$(median "${t_help[@]}")
        startup[report]=$(median "${t_report[@]}")
        startup[sqlite]=$(median "${t_sqlite[@]}")
        ok "start-up: --help ${startup[help]} us, report ${startup[report]} us, sqlite3 ${startup[sqlite]} us"
    else
        fail "start-up: a command failed"
    fi
else
    fail "start-up: hallpass demo failed"
fi

# --- The table ------------------------------------------------------------------------------------
table="$tmp/table.md"
met() { # CONDITION: yes or no; a smoke run judges no speed
    if $smoke; then
        echo "(smoke: not judged)"
    elif [ "$(calc "($1) ? 1 : 0")" = 1 ]; then
        echo yes
    else
        echo "**no**"
    fi
}
row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |" >>"$table"; }
{
    echo "| what | figure | baseline | ratio | target | met |"
    echo "| --- | --- | --- | --- | --- | --- |"
} >"$table"
k() { printf '%s' "${rep[$1]:-}"; }
# The reports' and the insights' rows: the title, the SQL and the target differ by kind.
title() { # KIND
    case $1 in
    rooms) echo "Room Usage" ;;
    staff) echo "Staff Usage" ;;
    *) echo "$1 insight" ;;
    esac
}
for kind in rooms staff $INSIGHTS; do
    h=$(k small.hallpass.$kind) b=$(k small.baseline.$kind)
    if [ $kind = rooms ] || [ $kind = staff ]; then
        sql="GROUP BY over a covering index" times=200
    else
        sql="SQL over a covering index" times=100
    fi
    if [ -n "$h" ] && [ -n "$b" ]; then
        row "$(title $kind), whole school year, $PASSES passes, in process (median of $REPORT_RUNS)" \
            "$(fmt_us "$h")" "$(fmt_us "$b") ($sql, median of $BASELINE_RUNS)" \
            "$(calc "sprintf(\"%.0fx faster\", $b / $h)")" "at least ${times}x faster" "$(met "$b / $h >= $times")"
    fi
done
for kind in rooms staff $INSIGHTS; do
    # The 1M store's report timed alternately with the 10M store's, in the same process.
    h=$(k big.hallpass.$kind) s=$(k big.also.$kind) b=$(k big.baseline.$kind)
    if [ -n "$h" ] && [ -n "$s" ]; then
        row "$(title $kind) at $BIG passes, in process (median of $REPORT_RUNS)" "$(fmt_us "$h")" \
            "$(fmt_us "$s") at $PASSES passes, timed alternately (sqlite3 at $BIG: $(fmt_us "${b:-0}"), median of $BIG_BASELINE_RUNS)" \
            "$(calc "sprintf(\"%.2fx\", $h / $s)")" "within 2x of $PASSES" "$(met "$h / $s <= 2")"
    fi
done
if [ -n "${http[get.rps]:-}" ]; then
    row "GET /api/reports/rooms?format=json (school year), wrk, $GET_CONNECTIONS connections, ${DURATION} s" \
        "$(calc "sprintf(\"%.0f requests/s, p99 %s ms\", ${http[get.rps]}, \"${http[get.p99]}\")")" "" "" \
        "at least 5,000 requests/s, p99 under 20 ms" \
        "$(met "${http[get.rps]} >= 5000 && ${http[get.p99]:-999999} < 20")"
fi
if [ -n "${http[session.rps]:-}" ]; then
    row "for reference: GET /api/session (signed in, no report), $GET_CONNECTIONS connections, ${DURATION} s" \
        "$(calc "sprintf(\"%.0f requests/s, p99 %s ms\", ${http[session.rps]}, \"${http[session.p99]}\")")" \
        "" "" "" ""
fi
if [ -n "${http[post.rate]:-}" ]; then
    row "POST /api/passes, limits checked, wrk, $POST_CONNECTIONS connections, ${DURATION} s" \
        "$(calc "sprintf(\"%.0f passes/s, p99 %s ms\", ${http[post.rate]}, \"${http[post.p99]}\")"), ${http[sweep]:-?} limits exceeded (${http[post.refused]:-0} refused at a limit)" \
        "" "" "at least 1,000 passes/s, p99 under 50 ms, no limit exceeded" \
        "$(met "${http[post.rate]} >= 1000 && ${http[post.p99]:-999999} < 50 && ${http[sweep]:-1} == 0")"
fi
for label in small big; do
    [ -n "${import_s[$label]:-}" ] || continue
    rows=$([ $label = small ] && echo "$PASSES" || echo "$BIG")
    runs=$([ $label = small ] && echo "$RUNS" || echo "$BIG_RUNS")
    row "import passes, $rows rows, all checks (median of $runs)" \
        "$(fmt_s "${import_s[$label]}"), peak $(fmt_mb "${import_kb[$label]}")" \
        "$(fmt_s "${base_s[$label]}"), peak $(fmt_mb "${base_kb[$label]}") (sqlite3 .import, table with one index)" \
        "$(calc "sprintf(\"%.2fx the time\", ${import_s[$label]} / ${base_s[$label]})")" \
        "no slower than sqlite3 .import; peak under 64 MB" \
        "$(met "${import_s[$label]} <= ${base_s[$label]} && ${import_kb[$label]} < 65536")"
done
if [ -n "${http[serve.kb]:-}" ]; then
    row "hallpass serve peak memory (VmHWM) after both HTTP benchmarks" "$(fmt_mb "${http[serve.kb]}")" \
        "" "" "under 64 MB" "$(met "${http[serve.kb]} < 65536")"
fi
if [ -n "${rules[ratio]:-}" ]; then
    row "now passes through the pass service, every rule on, $RULES_PASSES passes (SQLite, in process)" \
        "${rules[all]} passes/s" "${rules[none]} passes/s with every rule off" \
        "${rules[ratio]}x the time" "at most 1.3x the time" "$(met "${rules[ratio]} <= 1.3")"
fi
if [ -n "${startup[report]:-}" ]; then
    row "start-up: a whole \`hallpass report rooms\` process on the SQLite demo store (median of $STARTUP_RUNS)" \
        "$(fmt_us "${startup[report]}")" "$(fmt_us "${startup[sqlite]}") (\`sqlite3 -version\`)" \
        "$(calc "sprintf(\"%.2fx the time\", ${startup[report]} / ${startup[sqlite]})")" \
        "at most 2x the time" "$(met "${startup[report]} <= 2 * ${startup[sqlite]}")"
    row "for reference: a whole \`hallpass --help\` process (median of $STARTUP_RUNS)" \
        "$(fmt_us "${startup[help]}")" "$(fmt_us "${startup[sqlite]}") (\`sqlite3 -version\`)" \
        "$(calc "sprintf(\"%.2fx the time\", ${startup[help]} / ${startup[sqlite]})")" "" ""
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$facts"

echo
cat "$facts"
echo
cat "$table"
if [ -n "$out" ]; then
    { cat "$facts"; echo; cat "$table"; } >"$out"
fi
echo
echo "$passed passed, $failed failed"
finish $([ "$failed" -eq 0 ] && echo 0 || echo 1)
