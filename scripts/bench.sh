#!/usr/bin/env bash
# ./flashsale bench: the performance figures of docs/benchmarks.md, measured in one run on this
# machine (load generator, sale-api, Redis, PostgreSQL and Kafka share its cores) against the
# targets of docs/contract/performance-targets.md. Each scenario but the SSE crowd runs REPEAT
# times; the report shows medians with the rounds' range, and ratios compare figures of the same
# run. Every scenario measures one kind of answer: the trivial POST and the purchases are driven by
# the same wrk script, real decisions run on a sale that cannot sell out, sold-out answers on one
# that has; the CPU of every process is priced per request (scripts/bench/cpu.py).
#
#   ./flashsale bench          measure, write every round's figures once to the results file, render
#   ./flashsale bench render   render the docs from the results files again, measuring nothing
#   ./flashsale bench soak     the long run on its own (scripts/bench/soak.sh)
#
# The docs are rendered by scripts/bench/render.py from the results files only (docs/benchmarks.md
# whole, the sizing table of docs/operations.md), so they cannot drift from the figures.
#   BENCH_REPEAT (3)  BENCH_RESULTS (docs/bench-results/bench.tsv)  BENCH_REPORT (docs/benchmarks.md)
#   BENCH_JMH_OPTS (JMH options for the script benchmark, e.g. "-wi 1 -i 3 -r 1s" for a trial run)
# A trial run sets both BENCH_RESULTS and BENCH_REPORT; with the report elsewhere,
# docs/operations.md is left alone.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEP_TAG=bench
# shellcheck source=lib/steps.sh
source "$ROOT/scripts/lib/steps.sh"
cd "$ROOT"
REPEAT="${BENCH_REPEAT:-3}"
BASE="http://127.0.0.1:${FLASHSALE_PORT:-8080}"
RESULTS="${BENCH_RESULTS:-$ROOT/docs/bench-results/bench.tsv}"
OUT="${BENCH_REPORT:-$ROOT/docs/benchmarks.md}"
RAW="$ROOT/.flashsale/bench"
mkdir -p "$RAW"

say() { printf '\033[1m[bench]\033[0m %s\n' "$*"; }

render() { # render [--summary]: the docs from the results files
  local sizing=none
  if [[ "$OUT" == "$ROOT/docs/benchmarks.md" ]]; then sizing="$ROOT/docs/operations.md"; fi
  python3 scripts/bench/render.py --bench "$RESULTS" --report "$OUT" --sizing "$sizing" "$@"
  say "report rendered from ${RESULTS#"$ROOT"/}: ${OUT#"$ROOT"/}$([[ $sizing == none ]] || echo ", docs/operations.md (sizing)")"
}

case "${1:-}" in
  "") ;;
  render) render; exit ;;
  soak) ;;
  *) echo "usage: ./flashsale bench [render|soak]" >&2; exit 2 ;;
esac

command -v wrk >/dev/null || {
  say "installing wrk (Debian)"
  apt-get -o DPkg::Lock::Timeout=300 install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get install -y -q wrk >/dev/null; }
}
if [[ "${1:-}" == soak ]]; then exec bash "$ROOT/scripts/bench/soak.sh"; fi

"$ROOT/flashsale" up >/dev/null
while IFS= read -r line; do export "${line?}"; done < <(bash scripts/services.sh --profile stack env)
TOOLS_JAR="$ROOT/tools/target/flashsale-tools.jar"
TOKENS_DIR="$RAW/tokens"
TOKEN_COUNT=150000
# restart_api ARGS...: sale-api again with these arguments (the auth mode of the scenarios to come)
restart_api() {
  "$ROOT/flashsale" restart-api "$@" >/dev/null
  API_PID="$(cat .flashsale/stack/sale-api.pid)"
}
PG_DIR="$ROOT/.flashsale/stack/postgres"
PG_PORT="${FLASHSALE_R2DBC_URL##*:}"; PG_PORT="${PG_PORT%%/*}"
REDIS_PORT="${FLASHSALE_REDIS_URL##*:}"

sale() { "$ROOT/flashsale" sale "$@" >/dev/null; }
new_sale() { # new_sale PREFIX STOCK START -> prints the id
  local id="$1-$(date +%s%N | tail -c 7)"
  sale upsert --id "$id" --sku BENCH-1 --product-name "Benchmark $1" --initial-stock "$2" --per-user-limit 1 --start "$3" --end +30m
  echo "$id"
}
# Deletes a scenario's sale once PostgreSQL has all of it (sale-core refuses before), so that Redis
# does not grow from round to round (its AOF rewrites would slow the later rounds down).
drop_sale() {
  local deadline=$((SECONDS + 60))
  until "$ROOT/flashsale" sale delete --id "$1" 2>/dev/null | grep -qE '^(DELETED|SALE_NOT_FOUND)'; do
    ((SECONDS < deadline)) || { say "  sale $1 not fully persisted after 60 s; kept"; return; }
    sleep 0.5
  done
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
pg_count() {
  runuser -u postgres -- /usr/lib/postgresql/*/bin/psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d flashsale -tAc \
    "select count(*) from purchases where sale_id='$1'" 2>/dev/null || echo -1
}
sold_of() { "$ROOT/flashsale" sale view --id "$1" | sed -n 's/.* sold=\([0-9]*\).*/\1/p'; }
rss_mib() { awk '/VmRSS/ {printf "%.0f\n", $2/1024}' "/proc/$API_PID/status"; }
wrk_run() { # wrk_run LOG ARGS... -> prints the RESULT line
  wrk "${@:2}" >"$RAW/$1.log" 2>&1 || true
  grep '^RESULT' "$RAW/$1.log" || { cat "$RAW/$1.log" >&2; echo "RESULT requests=0 rps=0 p50_ms=0 p99_ms=0"; }
}

# wrk_cpu SCENARIO LOG ARGS...: wrk_run with the CPU of every part of the stack priced per request
# (scripts/bench/cpu.py); adds the scenario's wrk figures and its CPU figures, and leaves both
# RESULT lines in $MEASURED (not run in a subshell: add must reach this shell's figures)
wrk_cpu() {
  local scenario="$1" log="$2" r c part; shift 2
  python3 scripts/bench/cpu.py snapshot >"$RAW/cpu-before"
  r=$(wrk_run "$log" "$@")
  python3 scripts/bench/cpu.py snapshot >"$RAW/cpu-after"
  c=$(python3 scripts/bench/cpu.py per-request "$RAW/cpu-before" "$RAW/cpu-after" "$(field requests "$r")")
  add_wrk "$scenario" "$r"
  for part in machine sale_api redis postgres kafka operator control_plane rest; do
    add "${scenario}_cpu_${part}_us" "$(field "${part}_us" "$c")"
  done
  add "${scenario}_machine_cs" "$(field machine_cs "$c")"; add "${scenario}_sale_api_cs" "$(field sale_api_cs "$c")"
  MEASURED="$r
$c"
}

# script_us_per_call: the purchase script's own time inside Redis (INFO commandstats) under a light
# load (8 connections, 5 s) on a sale that cannot sell out. Every sale-api script goes through
# EVALSHA; purchases are all but a few of the calls here (the relay's batches are the rest).
script_us_per_call() {
  local id r stats
  id=$(new_sale script-cost 10000000 -1m)
  redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
  r=$(wrk_run script-cost -t1 -c8 -d5s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- sc$RANDOM)
  stats=$(redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | grep '^cmdstat_evalsha:')
  drop_sale "$id"
  echo "RESULT us_per_call=$(field usec_per_call "$stats") calls=$(sed -n 's/.*:calls=\([0-9]*\),.*/\1/p' <<<"$stats") purchases=$(field requests "$r")"
}

# script_bench NAME: purchase script calls per second through one Lettuce connection, 256 in flight
# (tools/: PurchaseScriptBenchmark, JMH; its sale is deleted at the end). Prints
# "RESULT calls_per_s=N error=E" (E: JMH's 99.9% error) from JMH's JSON; log and JSON stay in $RAW.
script_bench() {
  local log="$RAW/$1.log" json="$RAW/$1.json"
  # shellcheck disable=SC2086  # BENCH_JMH_OPTS are words, e.g. "-wi 1 -i 3 -r 1s" for a trial run
  if ! java -cp "$TOOLS_JAR" org.openjdk.jmh.Main PurchaseScriptBenchmark ${BENCH_JMH_OPTS:-} -rf json -rff "$json" >"$log" 2>&1; then
    say "the script benchmark (JMH) failed; its output: ${log#"$ROOT"/}" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
  python3 - "$json" <<'PY'
import json, math, sys
m = json.load(open(sys.argv[1]))[0]["primaryMetric"]
error = float(m["scoreError"])
if math.isnan(error):
    sys.exit(f"[bench] JMH gave no error in {sys.argv[1]}: it needs at least 3 measured iterations")
print(f"RESULT calls_per_s={m['score']:.0f} error={error:.0f}")
PY
}

# jmh_settings JSON: how JMH ran the script benchmark, for the report's method note
jmh_settings() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
print(f"JMH {r['jmhVersion']} on JDK {r['jdkVersion']}: {r['forks']} fork, {r['warmupIterations']} × {r['warmupTime']}"
      f" of warm-up, {r['measurementIterations']} × {r['measurementTime']} measured, {r['params']['inFlight']} calls in flight")
PY
}

# add FIGURE VALUE: one round's value of a figure of the results file (in the order first added);
# a figure the tool did not print counts as 0, as wrk_run's fallback line does
add() {
  [[ -v "R[$1]" ]] || ORDER+=("$1")
  R[$1]+="${R[$1]:+ }${2:-0}"
}
add_wrk() { # add_wrk SCENARIO RESULT-LINE: its req/s, p50 and p99
  add "$1_rps" "$(field rps "$2")"; add "$1_p50_ms" "$(field p50_ms "$2")"; add "$1_p99_ms" "$(field p99_ms "$2")"
}

# The one record of the run: facts of the machine, then every figure with its value of every round.
write_results() {
  local key
  mkdir -p "$(dirname "$RESULTS")"
  {
    printf '# run\t%s\n' "$RUN"
    printf '# cores\t%s\n' "$(nproc)"
    printf '# memory_gib\t%s\n' "$(free -g | awk '/Mem/ {print $2}')"
    printf '# debian\t%s\n' "$(cat /etc/debian_version)"
    printf '# cpu\t%s\n' "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    printf '# repeat\t%s\n' "$REPEAT"
    printf '# script_tool\t%s\n' "$(jmh_settings "$RAW/script-1.json")"
    printf 'figure\trounds\n'
    for key in "${ORDER[@]}"; do printf '%s\t%s\n' "$key" "${R[$key]}"; done
  } >"$RESULTS.tmp"
  mv "$RESULTS.tmp" "$RESULTS"
}

main() {
declare -A R
ORDER=()
RUN="$(date -u +%Y-%m-%dT%H:%MZ)"
say "bench tokens: $TOKEN_COUNT shoppers signed by the benchmark key (made once, kept for 5 days) ..."
java -cp "$TOOLS_JAR" dev.flashsale.tools.BenchTokens --dir "$TOKENS_DIR" --count "$TOKEN_COUNT" | sed 's/^/  /'
# the scenarios price the purchase itself: shoppers name themselves (X-User-Id) until the token rounds
restart_api --flashsale.auth.mode=none
say "warming up sale-api (JIT) ..."
warm=$(new_sale warm 10000000 -1m)
wrk_run warm -t2 -c256 -d20s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$warm/purchases" -- warm >/dev/null
wrk_run warm-get -t2 -c256 -d5s -s scripts/bench/get.lua "$BASE/api/v1/sales/$warm" >/dev/null
drop_sale "$warm"

for i in $(seq 1 "$REPEAT"); do
  say "round $i/$REPEAT"
  r=$(script_bench "script-$i")
  add script_calls_per_s "$(field calls_per_s "$r")"; add script_calls_per_s_error "$(field error "$r")"
  say "  raw Lua via Lettuce: $r"
  # the zero-loss setting of docs/operations.md: every write on disk before Redis answers
  redis-cli -p "$REDIS_PORT" config set appendfsync always >/dev/null
  r=$(script_bench "script-always-$i") || { redis-cli -p "$REDIS_PORT" config set appendfsync everysec >/dev/null; exit 1; }
  redis-cli -p "$REDIS_PORT" config set appendfsync everysec >/dev/null
  add script_always_calls_per_s "$(field calls_per_s "$r")"; add script_always_calls_per_s_error "$(field error "$r")"
  say "  raw Lua via Lettuce, appendfsync always: $r"
  r=$(script_us_per_call)
  add script_us_per_call "$(field us_per_call "$r")"
  say "  purchase script inside Redis, light load: $r"

  r=$(wrk_run ping-$i -t2 -c256 -d10s --latency -s scripts/bench/get.lua "$BASE/api/v1/ping")
  add_wrk ping "$r"; say "  trivial GET c256:    $r"
  wrk_cpu ping_post ping-post-$i -t2 -c256 -d10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/ping" -- pp$i
  say "  trivial POST c256:   $MEASURED"

  # real decisions only: ten million units cannot sell out in 20 s
  id=$(new_sale decisions 10000000 -1m)
  wrk_cpu decisions decisions-$i -t2 -c256 -d20s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- d$i
  say "  real decisions c256: $MEASURED"
  sold=$(sold_of "$id"); t0=$(date +%s%N)
  while [[ "$(pg_count "$id")" != "$sold" ]] && (( ($(date +%s%N) - t0) < 60000000000 )); do sleep 0.1; done
  persist_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  add decisions_sold "$sold"; add decisions_persisted_after_ms "$persist_ms"
  say "  persisted $(pg_count "$id")/$sold in PostgreSQL ${persist_ms} ms after the load ended"
  drop_sale "$id"

  id=$(new_sale c1000 10000000 -1m)
  ( while sleep 1; do rss_mib >>"$RAW/rss-$i"; done ) & sampler=$!
  r=$(wrk_run c1000-$i -t2 -c1000 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- c$i)
  kill "$sampler" 2>/dev/null || true
  rss_max=$(sort -n "$RAW/rss-$i" | tail -n 1); rm -f "$RAW/rss-$i"
  add_wrk c1000 "$r"
  # wrk drops the requests still in flight when its time is up: those were decided but never
  # counted, so 201 answers <= sold <= 201 answers + connections; and PostgreSQL must hold every unit
  s201=$(field s201 "$r"); sold=$(sold_of "$id"); t0=$SECONDS
  while [[ "$(pg_count "$id")" != "$sold" ]] && ((SECONDS - t0 < 60)); do sleep 0.2; done
  rows=$(pg_count "$id")
  held=$(( s201 <= sold && sold <= s201 + 1000 && rows == sold ? 1 : 0 ))
  ((held)) || say "  INVARIANT BROKEN: 201 answers $s201, sold $sold, rows in PostgreSQL $rows"
  add c1000_201s "$s201"; add c1000_sold "$sold"; add c1000_rows "$rows"; add c1000_held "$held"
  add c1000_rss_max_mib "$rss_max"
  say "  real decisions c1000: $r (sold $sold, in PostgreSQL $rows, RSS max ${rss_max} MiB)"
  drop_sale "$id"
  r=$(wrk_run ping-post-c1000-$i -t2 -c1000 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/ping" -- pk$i)
  add_wrk ping_post_c1000 "$r"; say "  trivial POST c1000:  $r"

  id=$(new_sale herd 100 +3s)
  r=$(wrk_run herd-$i -t2 -c1000 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- h$i)
  sold=$(sold_of "$id")
  add_wrk herd "$r"; add herd_sold "$sold"
  say "  herd c1000, 100 units, opens 3 s in: $r (sold $sold)"
  # sold-out answers only: new shoppers on the sale the herd has just sold out
  r=$(wrk_run soldout-$i -t2 -c1000 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- so$i)
  add_wrk soldout "$r"
  say "  sold out, c1000:     $r"
  drop_sale "$id"

  id=$(new_sale retry 100 +2s)
  r=$(wrk_run retry-$i -t2 -c1000 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- r$i 3000)
  sold=$(sold_of "$id")
  add_wrk retry "$r"; add retry_sold "$sold"
  say "  retrying herd (3,000 ids again and again): $r (sold $sold)"

  r=$(wrk_run reads-$i -t2 -c256 -d10s --latency -s scripts/bench/get.lua "$BASE/api/v1/sales/$id")
  add_wrk reads "$r"
  say "  sale view reads c256: $r"
  drop_sale "$id"
done

# The same decisions with a signed access token per shopper: what verifying tokens costs. sale-api
# trusts the benchmark key as its issuer (a public key, no discovery); the rounds follow their own
# warm-up, as the plain rounds do.
say "signed shoppers: sale-api verifies a bearer token (RS256) on every purchase"
restart_api --flashsale.auth.mode=oidc --spring.security.oauth2.resourceserver.jwt.issuer-uri= \
  --spring.security.oauth2.resourceserver.jwt.public-key-location="file:$TOKENS_DIR/bench-issuer.pub"
export BENCH_TOKENS="$TOKENS_DIR/tokens.txt" BENCH_THREADS=2
warm=$(new_sale warm-tokens 10000000 -1m)
wrk_run warm-tokens -t2 -c256 -d20s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$warm/purchases" -- wt >/dev/null
drop_sale "$warm"
for i in $(seq 1 "$REPEAT"); do
  id=$(new_sale decisions-tokens 10000000 -1m)
  wrk_cpu decisions_token decisions-token-$i -t2 -c256 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- dt$i
  say "  round $i/$REPEAT, real decisions with tokens c256: $MEASURED"
  drop_sale "$id"
done
# the retrying herd with tokens: 3,000 signed shoppers again and again on 100 units, limit 1
id=$(new_sale retry-tokens 100 +2s)
r=$(wrk_run retry-tokens -t2 -c1000 -d10s --timeout 10s --latency -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$id/purchases" -- rt 3000)
sold=$(sold_of "$id"); t0=$SECONDS
while [[ "$(pg_count "$id")" != "$sold" ]] && ((SECONDS - t0 < 60)); do sleep 0.2; done
over=$(runuser -u postgres -- /usr/lib/postgresql/*/bin/psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d flashsale -tAc \
  "select count(*) from (select user_id from purchases where sale_id='$id' group by user_id having sum(qty) > 1) o" 2>/dev/null || echo -1)
add_wrk retry_token "$r"; add retry_token_sold "$sold"; add retry_token_over_limit "$over"
say "  retrying herd with tokens (3,000 shoppers, 100 units): $r (sold $sold, shoppers over their limit: $over)"
drop_sale "$id"
unset BENCH_TOKENS BENCH_THREADS
restart_api --flashsale.auth.mode=none

say "SSE crowd: 10,000 subscribers on one pod"
id=$(new_sale sse 3 -1m)
sse=$(node scripts/bench/sse-crowd.mjs "$BASE" "$id" 10000 3 2>"$RAW/sse.err" | grep '^RESULT' || echo "RESULT subscribers=10000 received=0 p50_ms=0 p99_ms=0 max_ms=0")
for f in subscribers received p50_ms p99_ms max_ms; do add "sse_$f" "$(field "$f" "$sse")"; done
say "  $sse"

# the stack as ./flashsale up left it (its own auth mode)
restart_api
write_results
say "figures written to ${RESULTS#"$ROOT"/}"
render --summary
}

main "$@"; exit
