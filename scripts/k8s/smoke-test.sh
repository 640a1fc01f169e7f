#!/usr/bin/env bash
# smoke-test.sh - proves the local control plane (control-plane.sh) is a real API server:
# namespaces, discovery, a CRD whose CEL x-kubernetes-validations rule must reject a bad object,
# RBAC being enforced, and server-side apply. Expects `control-plane.sh start` to have run;
# leaves the cluster running and removes what it created.
STEP_TAG=smoke-test
# shellcheck source=../lib/steps.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/steps.sh"

CP="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/control-plane.sh"
k() { "$CP" kubectl "$@"; }
pass=0 fail=0
ok() { echo "PASS: $*"; pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

cleanup() {
  k delete --ignore-not-found configmap smoke-ssa >/dev/null 2>&1 || true
  k delete --ignore-not-found crd flashsales.smoke.flashsale.local >/dev/null 2>&1 || true
}
trap cleanup EXIT

# 1. built-in namespaces exist (created by the apiserver's own bootstrap controller)
if k get ns default kube-system kube-public >/dev/null; then ok "namespaces"; else ko "namespaces"; fi

# 2. discovery works (captured first: grep -q closing the pipe early would fail under pipefail)
resources=$(k api-resources)
if grep -q '^customresourcedefinitions ' <<<"$resources"; then ok "api-resources"; else ko "api-resources"; fi

# 3. a CRD with a CEL validation rule
k apply -f - >/dev/null <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: flashsales.smoke.flashsale.local
spec:
  group: smoke.flashsale.local
  scope: Namespaced
  names: {plural: flashsales, singular: flashsale, kind: FlashSale}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [stock, maxPerCustomer]
            properties:
              stock: {type: integer, minimum: 0}
              maxPerCustomer: {type: integer, minimum: 1}
            x-kubernetes-validations:
            - rule: "self.maxPerCustomer <= self.stock"
              message: "maxPerCustomer must not exceed stock"
EOF
k wait --for=condition=Established --timeout=30s crd/flashsales.smoke.flashsale.local >/dev/null
apply_sale() { # name stock max
  printf 'apiVersion: smoke.flashsale.local/v1\nkind: FlashSale\nmetadata: {name: %s}\nspec: {stock: %s, maxPerCustomer: %s}\n' \
    "$1" "$2" "$3" | k apply --dry-run=server -f - 2>&1
}
if out=$(apply_sale good 10 2); then ok "CEL accepts valid object"; else ko "CEL rejected a valid object: $out"; fi
if out=$(apply_sale bad 1 5); then ko "CEL accepted an invalid object"
elif grep -q 'maxPerCustomer must not exceed stock' <<<"$out"; then ok "CEL rejects invalid object: $out"
else ko "unexpected rejection: $out"; fi

# 4. RBAC is enforced: an unbound identity may not list secrets, system:masters may
if [[ $(k auth can-i list secrets --as=nobody 2>/dev/null || true) == no ]]; then ok "RBAC denies unbound user"
else ko "RBAC did not deny an unbound user"; fi
if [[ $(k auth can-i '*' '*') == yes ]]; then ok "admin (system:masters) is cluster-admin"; else ko "admin lacks rights"; fi

# 5. server-side apply, including a field-manager conflict
cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: smoke-ssa}\ndata: {mode: %s}\n' "$1"; }
if cm a | k apply --server-side --field-manager=smoke-a -f - >/dev/null &&
   [[ $(k get cm smoke-ssa -o jsonpath='{.metadata.managedFields[0].operation}') == Apply ]]; then
  ok "server-side apply"
else ko "server-side apply"; fi
if out=$(cm b | k apply --server-side --field-manager=smoke-b -f - 2>&1); then ko "SSA conflict not detected"
elif grep -qi conflict <<<"$out"; then ok "SSA conflict between field managers detected"
else ko "unexpected SSA error: $out"; fi

echo "smoke: $pass passed, $fail failed"
(( fail == 0 ))
