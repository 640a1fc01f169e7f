#!/usr/bin/env bash
# ./flashsale bench soak: a long sale of many millions of distinct shoppers against one sale-api,
# to show that nothing in the pod grows with the crowd. Every minute a new sale opens (the last one
# is cancelled and deleted once PostgreSQL holds it) and two wrk streams run for the minute, every
# request a shopper never seen before: real decisions on the live sale, and a herd on a sold-out
# sale (answered from the pod's memory). After each minute: throughput, errors, heap after a full
# GC, RSS, and whether sale-api is still the same process. At the end: the invariants of every sale.
#
#   SOAK_MINUTES (30)  SOAK_PURCHASE_CONNECTIONS (64)  SOAK_HERD_CONNECTIONS (192)
#   SOAK_RESULTS (docs/bench-results/soak.tsv)
#   SOAK_REPORT (docs/benchmarks.md)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
STEP_TAG=soak
# shellcheck source=../lib/steps.sh
source "$ROOT/scripts/lib/steps.sh"
MINUTES="${SOAK_MINUTES:-30}"
# most of a sale's crowd arrives after the sell-out: the herd gets the larger share of connections
BUYERS="${SOAK_PURCHASE_CONNECTIONS:-64}"
HERD="${SOAK_HERD_CONNECTIONS:-192}"
RESULTS="${SOAK_RESULTS:-$ROOT/docs/bench-results/soak.tsv}"
BASE="http://127.0.0.1:${FLASHSALE_PORT:-8080}"
RAW="$ROOT/.flashsale/bench/soak"
RUN="$(date +%H%M%S)"
mkdir -p "$RAW" "$(dirname "$RESULTS")"

step "the stack (./flashsale up)" ".flashsale/stack/*.log"
"$ROOT/flashsale" up >/dev/null
while IFS= read -r line; do export "${line?}"; done < <(bash scripts/services.sh --profile stack env)
API_PID="$(cat .flashsale/stack/sale-api.pid)"
PG_DIR="$ROOT/.flashsale/stack/postgres"
PG_PORT="${FLASHSALE_R2DBC_URL##*:}"; PG_PORT="${PG_PORT%%/*}"

sale() { "$ROOT/flashsale" sale "$@" >/dev/null; }
psql_q() { runuser -u postgres -- /usr/lib/postgresql/*/bin/psql -h "$PG_DIR" -p "$PG_PORT" -U postgres -d flashsale -tAc "$1"; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $2"; }
sold_of() { "$ROOT/flashsale" sale view --id "$1" | sed -n 's/.* sold=\([0-9]*\).*/\1/p'; }
rss_mib() { awk '/VmRSS/ {printf "%.0f\n", $2/1024}' "/proc/$API_PID/status"; }
# heap in use right after a full collection: what the pod really keeps
heap_after_gc_mib() {
  jcmd "$API_PID" GC.run >/dev/null
  curl -fsS "$BASE/actuator/metrics/jvm.memory.used?tag=area:heap" \
    | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["measurements"][0]["value"] / 1048576))'
}
# the sNNN=count fields of RESULT lines (scripts/bench/purchase.lua)
statuses() { grep -oE '(^| )s[0-9]{3}=[0-9]+' <<<"$1" | tr -d ' '; }
# statuses wrk counted that are not answers of the contract for the scenario
unexpected() { # unexpected RESULT-LINE EXPECTED-STATUS...
  local line="$1" n=0 kv; shift
  for kv in $(statuses "$line"); do
    local status="${kv%%=*}"; status="${status#s}"
    [[ " $* " == *" $status "* ]] || n=$((n + ${kv#*=}))
  done
  echo $((n + $(field errors "$line")))
}
drop_sale() { # waits until PostgreSQL holds the sale, then deletes its keys; prints sold
  local id="$1" sold deadline=$((SECONDS + 120))
  sale cancel --id "$id"
  sold="$(sold_of "$id")"
  until "$ROOT/flashsale" sale delete --id "$id" 2>/dev/null | grep -qE '^(DELETED|SALE_NOT_FOUND)'; do
    ((SECONDS < deadline)) || { echo "[soak] sale $id not persisted after 120 s" >&2; echo "$sold"; return; }
    sleep 1
  done
  echo "$sold"
}
new_sale() { # new_sale ID STOCK
  sale upsert --id "$1" --sku SOAK-1 --product-name "Soak $1" --initial-stock "$2" --per-user-limit 1 --start -1m --end +2h
}

step "warming up both paths (JIT) and selling out the herd's sale" ".flashsale/bench/soak/"
herd="soak-$RUN-herd"
new_sale "$herd" 100
warm="soak-$RUN-warm"
new_sale "$warm" 10000000
wrk -t1 -c"$BUYERS" -d90s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$warm/purchases" -- "wp$RUN" >"$RAW/warm-p.log" 2>&1 &
wrk -t1 -c"$HERD" -d90s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$herd/purchases" -- "wh$RUN" >"$RAW/warm-h.log" 2>&1
wait
[[ "$(sold_of "$herd")" == 100 ]] || { echo "[soak] the herd's sale did not sell out in the warm-up" >&2; exit 1; }
prev="$warm"

printf 'minute\tpurchases_rps\therd_rps\trequests\terrors\theap_after_gc_mib\trss_mib\tpid\n' >"$RESULTS.tmp"
declare -A SOLD
total=0 errors=0
step "soak: $MINUTES minutes, $BUYERS + $HERD connections, a new shopper per request" "$RAW/"
for m in $(seq 1 "$MINUTES"); do
  live="soak-$RUN-m$m"
  new_sale "$live" 10000000
  wrk -t1 -c"$BUYERS" -d60s --timeout 10s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$live/purchases" -- "p$RUN-$m" >"$RAW/p-$m.log" 2>&1 &
  a=$!
  wrk -t1 -c"$HERD" -d60s --timeout 10s -s scripts/bench/purchase.lua "$BASE/api/v1/sales/$herd/purchases" -- "h$RUN-$m" >"$RAW/h-$m.log" 2>&1 &
  b=$!
  # the last minute's sale ends and leaves Redis while this one runs, as a weekly drop would
  if [[ -n "$prev" ]]; then SOLD[$prev]="$(drop_sale "$prev")"; fi
  wait "$a" "$b" || true
  pa="$(grep '^RESULT' "$RAW/p-$m.log" || echo 'RESULT rps=0 errors=1')"
  pb="$(grep '^RESULT' "$RAW/h-$m.log" || echo 'RESULT rps=0 errors=1')"
  n="$(statuses "$pa $pb" | awk -F= '{s += $2} END {print s + 0}')"
  e=$(( $(unexpected "$pa" 201 409) + $(unexpected "$pb" 409) ))
  total=$((total + n)); errors=$((errors + e))
  kill -0 "$API_PID" 2>/dev/null || { echo "[soak] sale-api (pid $API_PID) is gone: see .flashsale/stack/sale-api.log" >&2; exit 1; }
  heap="$(heap_after_gc_mib)"; rss="$(rss_mib)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$(field rps "$pa")" "$(field rps "$pb")" "$n" "$e" "$heap" "$rss" "$API_PID" >>"$RESULTS.tmp"
  printf '[soak] minute %2d/%d: purchases %6s req/s, herd %6s req/s, %8d shoppers so far, errors %d, heap after GC %s MiB, RSS %s MiB\n' \
    "$m" "$MINUTES" "$(field rps "$pa")" "$(field rps "$pb")" "$total" "$errors" "$heap" "$rss"
  prev="$live"
done
SOLD[$prev]="$(drop_sale "$prev")"

step "invariants of every soak sale (PostgreSQL against Redis' sold counts)" "$RAW/"
broken=0
for id in "${!SOLD[@]}"; do
  rows="$(psql_q "select count(*) from purchases where sale_id='$id'")"
  [[ "$rows" == "${SOLD[$id]}" ]] || { echo "[soak] $id: sold ${SOLD[$id]}, rows in PostgreSQL $rows" >&2; broken=$((broken + 1)); }
done
over="$(psql_q "select count(*) from (select 1 from purchases where sale_id like 'soak-$RUN-%' group by sale_id, user_id having sum(qty) > 1) o")"
herd_rows="$(psql_q "select count(*) from purchases where sale_id='$herd'")"
[[ "$herd_rows" == 100 ]] || broken=$((broken + 1))
sold_total="$(psql_q "select count(*) from purchases where sale_id like 'soak-$RUN-%'")"
sale delete --id "$herd" --force
mv "$RESULTS.tmp" "$RESULTS"
{
  printf '# run\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf '# shoppers\t%s\n# errors\t%s\n# sales\t%s\n# sold\t%s\n' "$total" "$errors" "$(( ${#SOLD[@]} + 1 ))" "$sold_total"
  printf '# broken_sales\t%s\n# users_over_limit\t%s\n# restarts\t0\n' "$broken" "$over"
} >>"$RESULTS"
# the whole report is rendered again from the results files (docs/bench-results/bench.tsv and this
# run's); the sizing figures of docs/operations.md come from the bench run, not the soak
python3 scripts/bench/render.py --soak "$RESULTS" --report "${SOAK_REPORT:-$ROOT/docs/benchmarks.md}" --sizing none
echo "[soak] $total shoppers, $errors errors, $sold_total purchases in PostgreSQL, invariants broken: $broken, over the limit: $over"
echo "[soak] results: ${RESULTS#"$ROOT"/}; table in docs/benchmarks.md"
