#!/usr/bin/env bash
# README's first command, run the way a new user runs it, proven end to end: `./flashsale up`,
# a FlashSale declared through `./flashsale kubectl`, one purchase by a signed-in shopper (a
# Keycloak token, as README shows) and one SSE `initial` event over HTTP, `./flashsale down`. .ci/run runs it on its clean clone before the test suite, so a
# launcher that only works on a machine with build output can never land again.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STEP_TAG=first-run
# shellcheck source=lib/steps.sh
source "$ROOT/scripts/lib/steps.sh"
BASE="http://127.0.0.1:${FLASHSALE_PORT:-8080}"
SALE="first-run-$(date +%s)"

trap './flashsale down >/dev/null 2>&1 || true' EXIT

step "./flashsale up (README's first command)" "the output above; .flashsale/stack/*.log"
./flashsale up

step "declaring FlashSale $SALE, open now, through ./flashsale kubectl" ".flashsale/stack/operator.log"
./flashsale kubectl -n shop apply -f - <<YAML
apiVersion: flashsale.dev/v1alpha1
kind: FlashSale
metadata:
  name: $SALE
spec:
  sku: FIRST-RUN-1
  productName: First run check
  initialStock: 5
  startTime: "$(date -u +%FT%TZ)"
  endTime: "$(date -u -d '+10 min' +%FT%TZ)"
  perUserLimit: 1
YAML
deadline=$((SECONDS + 60))
until [[ "$(./flashsale kubectl -n shop get flashsale "$SALE" -o jsonpath='{.status.phase}')" == Active ]]; do
  ((SECONDS < deadline)) || { echo "[first-run] $SALE did not become Active within 60 s" >&2; exit 1; }
  sleep 0.5
done

step "one purchase over HTTP: refused without a token, 201 with alice's" ".flashsale/stack/sale-api.log"
body="$(mktemp)"
buy() { curl -sS -o "$body" -w '%{http_code}' -X POST "$BASE/api/v1/sales/$SALE/purchases" \
  -H 'Content-Type: application/json' "$@" -d '{"qty":1}'; }
code="$(buy -H 'X-User-Id: first-run-shopper')"
[[ "$code" == 401 ]] || { echo "[first-run] a purchase without a token answered $code, expected 401: $(cat "$body")" >&2; exit 1; }
token="$(./flashsale token alice)"
code="$(buy -H "Authorization: Bearer $token")"
[[ "$code" == 201 ]] || { echo "[first-run] purchase answered $code, expected 201: $(cat "$body")" >&2; exit 1; }
echo "[first-run] 201: $(cat "$body")"

step "one SSE initial event" ".flashsale/stack/sale-api.log"
events="$(curl -sSN --max-time 3 -H 'Accept: text/event-stream' "$BASE/api/v1/sales/$SALE/events" || true)"
grep -q '^event:initial' <<<"${events// /}" || { echo "[first-run] no 'initial' event; got: ${events:0:300}" >&2; exit 1; }
grep -q '"stock":4' <<<"${events// /}" || { echo "[first-run] the initial event does not show the sale: ${events:0:300}" >&2; exit 1; }

step "./flashsale down" ""
trap - EXIT
./flashsale down
echo "[first-run] passed in ${SECONDS}s: up, FlashSale applied, no token 401, alice's purchase 201, SSE initial event, down"
