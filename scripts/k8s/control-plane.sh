#!/usr/bin/env bash
# control-plane.sh - a real, local Kubernetes control plane (etcd + kube-apiserver + kubectl)
# without Docker, built from Go modules and cached under the user's home.
#
#   install            build the three binaries (once) into the kube-api-test cache layout
#   installed          exit 0 when they are built and current (nothing is printed)
#   start              run etcd + kube-apiserver on loopback, write a kubeconfig, wait for /readyz
#   stop               stop the processes recorded in our pidfiles (and nothing else)
#   status             show what runs, where, and whether the API server is ready
#   kubectl ARGS...    run the built kubectl against the local API server
#   kubeconfig         print the kubeconfig path (e.g. export KUBECONFIG=$(... kubeconfig))
#   reset              stop, then delete the state dir (etcd data, certificates, logs)
#
# See docs/control-plane.md for versions, timings, the fabric8 kube-api-test reuse and
# troubleshooting.
STEP_TAG=control-plane
# shellcheck source=../lib/steps.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/steps.sh"

# ---------------------------------------------------------------------------------------------
# Pinned versions. They must agree with the go.mod files under build/ (checked by `install`),
# which pin every transitive dependency through go.sum so builds are reproducible.
# ---------------------------------------------------------------------------------------------
KUBE_VERSION=1.37.2   # k8s.io/kubernetes v1.37.2, staging modules (k8s.io/api, ...) at v0.37.2
ETCD_VERSION=3.7.3    # go.etcd.io/etcd/server/v3 v3.7.3

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
BUILD_DIR=$SCRIPT_DIR/build

# Same layout io.fabric8:kube-api-test looks for (<dir>/k8s/<X.Y.Z>-linux-amd64/), so its
# offline mode can reuse what we build; honour the same KUBE_API_TEST_DIR override.
CACHE_ROOT=${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}
BIN_DIR=$CACHE_ROOT/k8s/${KUBE_VERSION}-linux-amd64
STAMP_FILE=$BIN_DIR/.flashsale-build   # hidden: kube-api-test only looks at the three binaries

STATE_DIR=${FLASHSALE_K8S_DIR:-$REPO_ROOT/.flashsale/k8s}
CERT_DIR=$STATE_DIR/pki
PORTS_FILE=$STATE_DIR/ports.env
KUBECONFIG_FILE=$STATE_DIR/kubeconfig

# Unusual defaults so we do not collide with a developer's real cluster (6443/2379/2380).
# An explicitly set variable must be free; a default that is taken moves to the next free port.
DEFAULT_API_PORT=26443
DEFAULT_ETCD_PORT=22379
DEFAULT_ETCD_PEER_PORT=22380
START_TIMEOUT=${FLASHSALE_K8S_START_TIMEOUT:-90}
SERVICE_CIDR=10.0.0.0/24   # only allocates ClusterIPs in etcd; nothing routes to it

log() { printf '[control-plane] %s\n' "$*" >&2; }
die() { printf '[control-plane] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------

# The Go toolchain: $GO, else `go` on PATH, else the machine's /usr/local/go.
find_go() {
  if [[ -n ${GO:-} ]]; then echo "$GO"
  elif command -v go >/dev/null 2>&1; then command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then echo /usr/local/go/bin/go
  else die "no Go toolchain found (set GO=/path/to/go); Go >= 1.26 is required"
  fi
}

# Fingerprint of everything that determines the binaries. A warm `install` compares it with the
# stamp and does not even need Go, which keeps the no-op path well under a second.
build_fingerprint() {
  {
    echo "kube=$KUBE_VERSION etcd=$ETCD_VERSION flags=$(build_ldflags_kube)"
    # comment lines do not change what gets built, so editing them must not force a rebuild
    grep -hv '^[[:space:]]*//' "$BUILD_DIR/kube/go.mod" "$BUILD_DIR/kube/go.sum" \
      "$BUILD_DIR/etcd/go.mod" "$BUILD_DIR/etcd/go.sum" "$BUILD_DIR/etcd/main.go"
  } | sha256sum | cut -d' ' -f1
}

# Without these, binaries built from the module report v0.0.0-master; kubectl would then warn
# about version skew and /version would lie. (Same variables hack/lib/version.sh sets.)
build_ldflags_kube() {
  local minor=${KUBE_VERSION#*.}; minor=${minor%%.*}
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=${KUBE_VERSION%%.*}"
    flags+=" -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

binaries_installed() {
  [[ -x $BIN_DIR/etcd && -x $BIN_DIR/kube-apiserver && -x $BIN_DIR/kubectl && -f $STAMP_FILE ]] &&
    [[ $(cat "$STAMP_FILE") == "$(build_fingerprint)" ]]
}

# Guard against editing KUBE_VERSION/ETCD_VERSION without updating build/*/go.mod (or back).
check_pins() {
  local staging="v0.${KUBE_VERSION#*.}"
  grep -Eq "^\s*(require )?k8s.io/kubernetes v$KUBE_VERSION\b" "$BUILD_DIR/kube/go.mod" ||
    die "build/kube/go.mod does not require k8s.io/kubernetes v$KUBE_VERSION"
  if grep -E '^\s*k8s.io/[a-z0-9-]+ => k8s.io/' "$BUILD_DIR/kube/go.mod" | grep -vq " $staging\$"; then
    die "build/kube/go.mod replaces a staging module with a version other than $staging"
  fi
  grep -Eq "^\s*(require )?go.etcd.io/etcd/server/v3 v$ETCD_VERSION\b" "$BUILD_DIR/etcd/go.mod" ||
    die "build/etcd/go.mod does not require go.etcd.io/etcd/server/v3 v$ETCD_VERSION"
}

# Run "$@" in the background and print a heartbeat every 30 s: a cold kube-apiserver build takes
# many minutes and silence looks like a hang (and trips "no output" watchdogs in CI).
with_progress() {
  local label=$1; shift
  local start=$SECONDS pid rc=0
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( (SECONDS - start) % 30 == 0 )) && kill -0 "$pid" 2>/dev/null; then
      log "  ... $label: $((SECONDS - start))s elapsed"
    fi
  done
  wait "$pid" || rc=$?
  (( rc == 0 )) || die "$label failed (exit $rc) after $((SECONDS - start))s"
  log "  $label: done in $((SECONDS - start))s"
}

# `go list -deps` fetches exactly the modules the three binaries need (`go mod download` would
# also fetch test-only dependencies of the whole graph).
# shellcheck disable=SC2317  # only called through with_progress "$@"
download_modules() {
  (cd "$BUILD_DIR/kube" && "$GO_BIN" list -mod=readonly -deps \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl >/dev/null)
  (cd "$BUILD_DIR/etcd" && "$GO_BIN" list -mod=readonly -deps . >/dev/null)
}

# go build of one main package from one of our build modules.
# shellcheck disable=SC2317  # only called through with_progress "$@"
go_build() {
  local module_dir=$1 out=$2 pkg=$3 ldflags=$4
  (cd "$module_dir" && nice -n 10 "$GO_BIN" build -mod=readonly -trimpath -ldflags="$ldflags" \
    -o "$out" "$pkg")
}

cmd_install() {
  local force=false
  [[ ${1:-} == --force ]] && force=true
  if ! $force && binaries_installed; then
    log "binaries for Kubernetes v$KUBE_VERSION / etcd v$ETCD_VERSION already in $BIN_DIR"
    return 0
  fi
  check_pins
  GO_BIN=$(find_go)
  # CGO off: static binaries that do not depend on the host's libc (upstream builds them so too).
  # GOTOOLCHAIN=local: never fetch another Go silently; go.mod says go 1.26.0.
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -buildvcs=false"
  mkdir -p "$CACHE_ROOT/k8s"

  # One build at a time per cache dir (parallel CI jobs / terminals).
  exec 9>"$CACHE_ROOT/k8s/.flashsale-install.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9
    if ! $force && binaries_installed; then log "built meanwhile by another install"; return 0; fi
  fi

  # Build into a hidden staging dir and rename at the end: kube-api-test treats any
  # "*-linux-amd64" dir as usable, so it must never see a half-filled one.
  local stage=$CACHE_ROOT/k8s/.build-$KUBE_VERSION.$$ total_start=$SECONDS
  rm -rf "$stage"; mkdir -p "$stage"
  # shellcheck disable=SC2064  # expand now: $stage is local and the trap may fire after return
  trap "rm -rf '$stage'" EXIT
  log "installing Kubernetes v$KUBE_VERSION + etcd v$ETCD_VERSION into $BIN_DIR ($("$GO_BIN" version))"
  log "a cold build takes ~6 min on 2 idle cores (more on a busy machine) and fills ~0.75 GB of"
  log "Go module cache and ~3 GB of Go build cache; progress is printed every 30s"

  log "step 1/4: download modules (cached in $("$GO_BIN" env GOMODCACHE))"
  with_progress "module download" download_modules

  log "step 2/4: build etcd (go.etcd.io/etcd/server/v3 v$ETCD_VERSION)"
  with_progress "etcd" go_build "$BUILD_DIR/etcd" "$stage/etcd" . "-s -w"
  log "step 3/4: build kube-apiserver (k8s.io/kubernetes v$KUBE_VERSION)"
  with_progress "kube-apiserver" go_build "$BUILD_DIR/kube" "$stage/kube-apiserver" \
    k8s.io/kubernetes/cmd/kube-apiserver "$(build_ldflags_kube)"
  log "step 4/4: build kubectl (k8s.io/kubernetes v$KUBE_VERSION)"
  with_progress "kubectl" go_build "$BUILD_DIR/kube" "$stage/kubectl" \
    k8s.io/kubernetes/cmd/kubectl "$(build_ldflags_kube)"

  "$stage/kube-apiserver" --version >/dev/null || die "built kube-apiserver does not run"
  build_fingerprint >"$stage/.flashsale-build"
  chmod 0755 "$stage"/etcd "$stage"/kube-apiserver "$stage"/kubectl
  rm -rf "$BIN_DIR"
  mv "$stage" "$BIN_DIR"
  trap - EXIT
  log "installed in $((SECONDS - total_start))s:"
  local bin
  for bin in etcd kube-apiserver kubectl; do
    log "  $(printf '%-15s %4d MB' "$bin" $(( $(stat -c %s "$BIN_DIR/$bin") / 1048576 )))"
  done
}

require_binaries() {
  [[ -x $BIN_DIR/etcd && -x $BIN_DIR/kube-apiserver && -x $BIN_DIR/kubectl ]] ||
    die "binaries missing in $BIN_DIR: run '$0 install' first"
}

# ---------------------------------------------------------------------------------------------
# processes: pidfiles + identity check (a recycled PID must never make us kill a stranger)
# ---------------------------------------------------------------------------------------------

pidfile() { echo "$STATE_DIR/$1.pid"; }

# Prints the PID if the pidfile's process is alive AND is our binary; else nothing.
running_pid() {
  local name=$1 file pid exe
  file=$(pidfile "$name")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  [[ $exe == "$BIN_DIR/$name" || $exe == "$BIN_DIR/$name (deleted)" ]] && echo "$pid"
  return 0
}

# Start a binary detached (own session, survives the shell) with output to a log file.
launch() {
  local name=$1; shift
  local logfile=$STATE_DIR/logs/$name.log
  mkdir -p "$STATE_DIR/logs"
  printf '\n===== %s start %s =====\n' "$name" "$(date -Is)" >>"$logfile"
  setsid "$BIN_DIR/$name" "$@" >>"$logfile" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$(pidfile "$name")"
  # Until the forked shell has exec'd, /proc/PID/exe is bash and running_pid would call the new
  # process dead; wait for the exec (or the death) so later checks are not racy on a busy machine.
  for _ in $(seq 1 50); do
    [[ -n $(running_pid "$name") ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

# stop_process NAME [GRACE_SECONDS]: SIGTERM, then SIGKILL after the grace period (default 10 s,
# enough for etcd to flush its WAL and for the apiserver to drain).
stop_process() {
  local name=$1 grace=${2:-10} pid
  pid=$(running_pid "$name")
  if [[ -z $pid ]]; then
    [[ -f $(pidfile "$name") ]] && log "$name: not running (pidfile removed)"
    rm -f "$(pidfile "$name")"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) still running ${grace}s after SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    # wait until it is gone, so its ports are free for an immediate restart
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$(pidfile "$name")"
  log "$name stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# ports
# ---------------------------------------------------------------------------------------------

port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# pick_port VAR DEFAULT [TAKEN...]: an explicit env value must be free; a default may move up.
pick_port() {
  local var=$1 default=$2; shift 2
  local port taken
  if [[ -n ${!var:-} ]]; then
    port=${!var}
    [[ $port =~ ^[0-9]+$ ]] || die "$var=$port is not a port number"
    port_in_use "$port" && die "$var=$port is already in use on this machine"
    echo "$port"; return 0
  fi
  for port in $(seq "$default" $((default + 200))); do
    for taken in "$@"; do [[ $port == "$taken" ]] && continue 2; done
    port_in_use "$port" || { echo "$port"; return 0; }
  done
  die "no free port in $default-$((default + 200)); set $var"
}

# ---------------------------------------------------------------------------------------------
# certificates (openssl) and kubeconfig; generated once per state dir and reused, so a
# kubeconfig copied elsewhere stays valid across stop/start
# ---------------------------------------------------------------------------------------------

ensure_certs() {
  [[ -f $CERT_DIR/sa.pub ]] && return 0   # written last: its presence means a complete set
  command -v openssl >/dev/null 2>&1 || die "openssl is required to generate certificates"
  log "generating certificates in $CERT_DIR"
  mkdir -p "$CERT_DIR"
  (
    cd "$CERT_DIR"
    umask 077
    local q=(-days 3650 -sha256)
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt "${q[@]}" \
      -subj "/CN=flashsale-local-ca" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"

    # Serving cert: the names a client may dial, plus the in-cluster names and the first service
    # IP (the "kubernetes" Service) so in-cluster style clients would verify too.
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" \
      "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
      >serving.ext
    openssl req -new -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
      -subj "/CN=kube-apiserver"
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -out apiserver.crt "${q[@]}" -extfile serving.ext

    # Admin client cert: O=system:masters is bound to cluster-admin by the bootstrap RBAC policy.
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=clientAuth" >client.ext
    openssl req -new -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr \
      -subj "/O=system:masters/CN=flashsale-admin"
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -out admin.crt "${q[@]}" -extfile client.ext

    # Service-account token signing key pair (kube-apiserver signs, verifies with the public half).
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key
    openssl pkey -in sa.key -pubout -out sa.pub
    rm -f ./*.csr ./*.ext ca.srl
  ) 2>"$STATE_DIR/openssl.log" || {
    rm -rf "$CERT_DIR"
    die "certificate generation failed: $(tail -n 5 "$STATE_DIR/openssl.log")"
  }
  rm -f "$STATE_DIR/openssl.log"   # only progress dots when it worked
}

write_kubeconfig() {
  local api_port=$1
  # Certificates embedded (not paths) so the file works when copied, and for Java clients.
  # It holds the admin key: create it private (umask in a subshell, not for the whole script).
  (umask 077; : >"$KUBECONFIG_FILE.tmp")
  cat >"$KUBECONFIG_FILE.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: flashsale-local
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(base64 -w0 <"$CERT_DIR/ca.crt")
users:
- name: flashsale-admin
  user:
    client-certificate-data: $(base64 -w0 <"$CERT_DIR/admin.crt")
    client-key-data: $(base64 -w0 <"$CERT_DIR/admin.key")
contexts:
- name: flashsale-local
  context:
    cluster: flashsale-local
    user: flashsale-admin
    namespace: default
current-context: flashsale-local
EOF
  mv "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"
}

# ---------------------------------------------------------------------------------------------
# start / stop / status
# ---------------------------------------------------------------------------------------------

# curl /readyz with the admin cert; prints the HTTP body, succeeds only on 200.
readyz() {
  local api_port=$1
  curl -sS --fail --max-time 3 --cacert "$CERT_DIR/ca.crt" --cert "$CERT_DIR/admin.crt" \
    --key "$CERT_DIR/admin.key" "https://127.0.0.1:$api_port/readyz" 2>/dev/null
}

fail_start() {
  local msg=$1 name
  log "ERROR: $msg"
  for name in etcd kube-apiserver; do
    if [[ -f $STATE_DIR/logs/$name.log ]]; then
      log "----- last 25 lines of $STATE_DIR/logs/$name.log -----"
      tail -n 25 "$STATE_DIR/logs/$name.log" >&2
    fi
  done
  # Leave nothing half-started: a later `start` must not mistake it for a healthy cluster.
  stop_process kube-apiserver
  stop_process etcd
  exit 1
}

cmd_start() {
  require_binaries
  command -v curl >/dev/null 2>&1 || die "curl is required (readiness checks)"
  mkdir -p "$STATE_DIR"
  # Self-ignoring state dir: keeps `git status` clean without touching the repo's .gitignore.
  [[ -f $STATE_DIR/.gitignore ]] || echo '*' >"$STATE_DIR/.gitignore"
  local t0=$SECONDS etcd_pid api_pid
  etcd_pid=$(running_pid etcd)
  api_pid=$(running_pid kube-apiserver)

  if [[ -n $etcd_pid && -n $api_pid ]]; then
    # shellcheck disable=SC1090
    source "$PORTS_FILE"
    if readyz "$API_PORT" >/dev/null; then
      log "already running: etcd pid $etcd_pid, kube-apiserver pid $api_pid on https://127.0.0.1:$API_PORT"
      log "kubeconfig: $KUBECONFIG_FILE"
      return 0
    fi
  fi

  # An apiserver without its etcd is useless and would point at the old etcd port: restart it
  # (short grace: with its storage gone it cannot drain anyway).
  if [[ -z $etcd_pid && -n $api_pid ]]; then
    stop_process kube-apiserver 2
    api_pid=
  fi

  # Choose ports unless etcd is still up from an earlier start (then keep its ports).
  if [[ -n $etcd_pid && -f $PORTS_FILE ]]; then
    # shellcheck disable=SC1090
    source "$PORTS_FILE"
  else
    ETCD_PORT=$(pick_port FLASHSALE_K8S_ETCD_PORT "$DEFAULT_ETCD_PORT")
    ETCD_PEER_PORT=$(pick_port FLASHSALE_K8S_ETCD_PEER_PORT "$DEFAULT_ETCD_PEER_PORT" "$ETCD_PORT")
    API_PORT=$(pick_port FLASHSALE_K8S_API_PORT "$DEFAULT_API_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT")
    printf 'ETCD_PORT=%s\nETCD_PEER_PORT=%s\nAPI_PORT=%s\n' "$ETCD_PORT" "$ETCD_PEER_PORT" \
      "$API_PORT" >"$PORTS_FILE"
  fi
  if [[ -z $api_pid ]] && [[ -n $etcd_pid ]] && port_in_use "$API_PORT"; then
    API_PORT=$(pick_port FLASHSALE_K8S_API_PORT "$DEFAULT_API_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT")
    sed -i "s/^API_PORT=.*/API_PORT=$API_PORT/" "$PORTS_FILE"
  fi

  ensure_certs
  write_kubeconfig "$API_PORT"

  if [[ -z $etcd_pid ]]; then
    log "starting etcd v$ETCD_VERSION on 127.0.0.1:$ETCD_PORT (peer $ETCD_PEER_PORT)"
    # --unsafe-no-fsync: a throw-away dev store; a clean stop still flushes, only a kernel crash
    # could lose data, and it makes CRD/apply-heavy tests noticeably faster.
    launch etcd --name flashsale --data-dir "$STATE_DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "flashsale=http://127.0.0.1:$ETCD_PEER_PORT" \
      --unsafe-no-fsync --log-level warn
    for _ in $(seq 1 100); do
      curl -sf --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1 && break
      [[ -n $(running_pid etcd) ]] || fail_start "etcd exited during startup"
      sleep 0.1
    done
    curl -sf --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1 ||
      fail_start "etcd not healthy after 10s"
  fi

  if [[ -z $api_pid ]]; then
    log "starting kube-apiserver v$KUBE_VERSION on https://127.0.0.1:$API_PORT"
    # Flags: loopback only; RBAC so RBAC manifests are really enforced; client-cert auth via our
    # CA; service-account issuer/keys are mandatory since 1.20. No controller-manager runs, so
    # nobody creates the "default" ServiceAccount: the ServiceAccount admission plugin would reject
    # every Pod, hence it is disabled (as kube-api-test and envtest do). The bootstrap controller
    # inside the apiserver still creates the default/kube-system/kube-public namespaces.
    # --endpoint-reconciler-type=none: the reconciler that publishes the apiserver's own address
    # in the "kubernetes" Endpoints refuses a loopback advertise address and kube-apiserver then
    # exits ("may not be in the loopback range"); nothing in-cluster needs those endpoints here.
    launch kube-apiserver \
      --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
      --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
      --tls-cert-file="$CERT_DIR/apiserver.crt" --tls-private-key-file="$CERT_DIR/apiserver.key" \
      --client-ca-file="$CERT_DIR/ca.crt" \
      --authorization-mode=RBAC \
      --service-account-issuer=https://kubernetes.default.svc.cluster.local \
      --service-account-key-file="$CERT_DIR/sa.pub" \
      --service-account-signing-key-file="$CERT_DIR/sa.key" \
      --service-cluster-ip-range="$SERVICE_CIDR" \
      --endpoint-reconciler-type=none \
      --disable-admission-plugins=ServiceAccount \
      --allow-privileged=true \
      --profiling=false
  fi

  log "waiting for /readyz (timeout ${START_TIMEOUT}s)"
  local deadline=$((SECONDS + START_TIMEOUT))
  until readyz "$API_PORT" >/dev/null; do
    [[ -n $(running_pid kube-apiserver) ]] || fail_start "kube-apiserver exited during startup"
    [[ -n $(running_pid etcd) ]] || fail_start "etcd exited during startup"
    (( SECONDS < deadline )) || fail_start "kube-apiserver not ready after ${START_TIMEOUT}s \
(FLASHSALE_K8S_START_TIMEOUT to wait longer); verbose check: curl -k https://127.0.0.1:$API_PORT/readyz?verbose"
    sleep 0.25
  done
  # /readyz can pass a moment before the bootstrap controller has written "default".
  until "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" get namespace default >/dev/null 2>&1; do
    (( SECONDS < deadline )) || fail_start "namespace 'default' not created after ${START_TIMEOUT}s"
    sleep 0.25
  done
  log "ready in $((SECONDS - t0))s: https://127.0.0.1:$API_PORT (etcd 127.0.0.1:$ETCD_PORT)"
  log "kubeconfig: $KUBECONFIG_FILE   (or: $0 kubectl get ns)"
}

cmd_stop() {
  # API server first so it does not log a burst of etcd connection errors on the way down.
  stop_process kube-apiserver
  stop_process etcd
}

cmd_status() {
  local name pid port
  echo "versions:   kubernetes v$KUBE_VERSION, etcd v$ETCD_VERSION"
  if [[ -x $BIN_DIR/kube-apiserver ]]; then echo "binaries:   $BIN_DIR"
  else echo "binaries:   not installed (run: $0 install)"; fi
  echo "state dir:  $STATE_DIR"
  # shellcheck disable=SC1090
  [[ -f $PORTS_FILE ]] && source "$PORTS_FILE"
  for name in etcd kube-apiserver; do
    pid=$(running_pid "$name")
    if [[ $name == etcd ]]; then port=${ETCD_PORT:-?}; else port=${API_PORT:-?}; fi
    if [[ -n $pid ]]; then printf '%-15s running, pid %s, port %s\n' "$name:" "$pid" "$port"
    else printf '%-15s stopped\n' "$name:"; fi
  done
  if [[ -n $(running_pid kube-apiserver) ]] && readyz "${API_PORT:-0}" >/dev/null; then
    echo "readyz:     ok (https://127.0.0.1:$API_PORT)"
    echo "kubeconfig: $KUBECONFIG_FILE"
  elif [[ -n $(running_pid kube-apiserver) ]]; then
    echo "readyz:     NOT ready (see $STATE_DIR/logs/kube-apiserver.log)"
  fi
}

cmd_kubectl() {
  require_binaries
  [[ -f $KUBECONFIG_FILE ]] || die "no kubeconfig yet: run '$0 start'"
  exec "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"
}

cmd_reset() {
  cmd_stop
  # Only delete a dir this script created (it always holds our ports.env or pki/).
  if [[ -d $STATE_DIR ]]; then
    [[ -f $PORTS_FILE || -d $CERT_DIR ]] || die "$STATE_DIR does not look like our state dir; not deleting"
    rm -rf "$STATE_DIR"
    log "deleted $STATE_DIR"
  fi
}

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  STEP="control-plane $*"; STEP_MORE="$STATE_DIR/logs/ and docs/control-plane.md"
  [[ $# -gt 0 ]] && shift
  case $cmd in
    install) cmd_install "$@" ;;
    installed) if binaries_installed; then exit 0; else exit 1; fi ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    kubectl) cmd_kubectl "$@" ;;
    kubeconfig) echo "$KUBECONFIG_FILE" ;;
    reset) cmd_reset ;;
    -h|--help|help|'') usage ;;
    *) usage >&2; die "unknown command: $cmd" ;;
  esac
}

# `exit` on the same line: bash reads a script lazily, so without it an edit of this file (a git
# pull, a version bump) during a long `install` would make bash run whatever now sits after it.
main "$@"; exit
