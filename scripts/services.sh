#!/usr/bin/env bash
# Real Redis, PostgreSQL, a KRaft Kafka broker and Keycloak (the OpenID Connect provider) on loopback,
# for the local stack and the tests. Installed from Debian packages and Maven Central; no containers.
# Each profile has its own ports, data dir and pidfiles, so the test suite never disturbs a running
# local stack, and `stop` stops only the processes this script started.
#
#   scripts/services.sh [--profile stack|test] install|start|stop|status|env
#   scripts/services.sh [--profile ...] start-one|stop-one|kill-one redis|postgres|kafka|keycloak
# (keycloak is not part of `start` yet; `stop` stops it if it runs)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STEP_TAG=services
# shellcheck source=lib/steps.sh
source "$ROOT/scripts/lib/steps.sh"
PROFILE="${FLASHSALE_PROFILE:-stack}"
if [[ "${1:-}" == "--profile" ]]; then PROFILE="$2"; shift 2; fi

case "$PROFILE" in
  stack) BASE=16000 ;;
  test) BASE=26000 ;;
  *) echo "unknown profile '$PROFILE' (stack|test)" >&2; exit 2 ;;
esac
REDIS_PORT="${FLASHSALE_REDIS_PORT:-$((BASE + 379))}"
PG_PORT="${FLASHSALE_PG_PORT:-$((BASE + 432))}"
KAFKA_PORT="${FLASHSALE_KAFKA_PORT:-$((BASE + 92))}"
KAFKA_CONTROLLER_PORT="$((KAFKA_PORT + 1))"
STATE="${FLASHSALE_STATE_DIR:-$ROOT/.flashsale/$PROFILE}"
KAFKA_VERSION=4.1.2
KAFKA_HOME="${FLASHSALE_CACHE:-$HOME/.cache/flashsale}/kafka-$KAFKA_VERSION"
KEYCLOAK_PORT="${FLASHSALE_KEYCLOAK_PORT:-$((BASE + 80))}"
KEYCLOAK_VERSION=26.7.3
KEYCLOAK_HOME="${FLASHSALE_CACHE:-$HOME/.cache/flashsale}/keycloak-$KEYCLOAK_VERSION"
# Baked into the shared install by `kc.sh build`, so that every start runs `start --optimized`: no
# re-augmentation (~25 s that start-dev spends on its first start, writing into the shared install
# while the other profile may be starting too); later starts take the same ~14 s either way.
KEYCLOAK_BUILD_OPTS=(--db=dev-file)
KEYCLOAK_ISSUER="http://127.0.0.1:$KEYCLOAK_PORT/realms/flashsale"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"

log() { printf '[services:%s] %s\n' "$PROFILE" "$*"; }
die() { printf '[services:%s] ERROR: %s\n' "$PROFILE" "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [[ -f "$1" ]] && kill -0 "$(head -n 1 "$1")" 2>/dev/null; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# Refuses to start on a port that someone else holds.
claim_port() {
  local port="$1" name="$2" pidfile="$3"
  if port_open "$port" && ! pid_alive "$pidfile"; then
    die "port $port for $name is taken by another process; set FLASHSALE_${name^^}_PORT or stop it"
  fi
}

apt_install() {
  log "installing Debian packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@" >/dev/null 2>&1 || {
    apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
    apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@" >/dev/null
  }
}

install() {
  local pkgs=()
  command -v redis-server >/dev/null || pkgs+=(redis-server)
  [[ -n "$PG_BIN" && -x "$PG_BIN/initdb" ]] || pkgs+=(postgresql)
  if ((${#pkgs[@]})); then apt_install "${pkgs[@]}"; fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [[ ! -f "$KAFKA_HOME/.complete" ]]; then
    log "fetching the Kafka $KAFKA_VERSION broker from Maven Central into $KAFKA_HOME"
    mkdir -p "$KAFKA_HOME/libs"
    mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_HOME/libs" -DincludeScope=runtime
    touch "$KAFKA_HOME/.complete"
  fi
  keycloak_install
  log "installed: $(redis-server --version | cut -d' ' -f3), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), Kafka $KAFKA_VERSION, Keycloak $KEYCLOAK_VERSION"
}

# The marker holds the build options, so changing KEYCLOAK_BUILD_OPTS rebuilds without a new download.
keycloak_installed() { [[ -f "$KEYCLOAK_HOME/.complete" && "$(cat "$KEYCLOAK_HOME/.complete")" == "build ${KEYCLOAK_BUILD_OPTS[*]}" ]]; }
keycloak_install() {
  local built="build ${KEYCLOAK_BUILD_OPTS[*]}"
  if keycloak_installed; then return 0; fi
  if [[ ! -x "$KEYCLOAK_HOME/bin/kc.sh" ]]; then
    local dl="$KEYCLOAK_HOME.download" zip="keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" t0=$SECONDS
    rm -rf "$dl" "$KEYCLOAK_HOME"; mkdir -p "$dl"
    log "fetching Keycloak $KEYCLOAK_VERSION (177 MB) from Maven Central into $KEYCLOAK_HOME"
    # Maven in batch mode shows no progress of its own: report the size of its partial file.
    local part="$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/$zip.part"
    ( while sleep 5; do [[ -f "$part" ]] && log "  ... $(($(stat -c %s "$part" 2>/dev/null || echo 0) / 1048576)) MB"; done ) &
    local ticker=$!
    # From $dl, not $ROOT: dependency:copy needs no project, and the repo's pom would make it a reactor build.
    if ! (cd "$dl" && mvn -B -Dstyle.color=never dependency:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$dl") >"$dl/mvn.log" 2>&1; then
      kill "$ticker" 2>/dev/null || true
      die "fetching Keycloak failed: $(tail -n 20 "$dl/mvn.log")"
    fi
    kill "$ticker" 2>/dev/null || true
    log "  $(grep -o 'Downloaded from .*keycloak-quarkus-dist.*' "$dl/mvn.log" | sed 's/.*zip /downloaded /' || echo 'found in ~/.m2'); unzipping"
    unzip -q "$dl/$zip" -d "$dl"
    mv "$dl/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME"
    rm -rf "$dl"
    log "  unpacked in $((SECONDS - t0)) s"
  fi
  log "building the optimized Keycloak server once (kc.sh $built, about 25 s)"
  rm -f "$KEYCLOAK_HOME/.complete"
  "$KEYCLOAK_HOME/bin/kc.sh" build "${KEYCLOAK_BUILD_OPTS[@]}" >"$KEYCLOAK_HOME/build.log" 2>&1 \
    || die "kc.sh build failed: $(tail -n 20 "$KEYCLOAK_HOME/build.log")"
  echo "$built" >"$KEYCLOAK_HOME/.complete"
}

# ---- Redis ----
redis_start() {
  local d="$STATE/redis"; mkdir -p "$d"
  pid_alive "$d/redis.pid" && { log "redis already running on $REDIS_PORT"; return; }
  claim_port "$REDIS_PORT" redis "$d/redis.pid"
  # AOF on: an acknowledged purchase survives a Redis restart (fsync policy: docs/operations.md)
  redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$d" \
    --pidfile "$d/redis.pid" --logfile "$d/redis.log" --appendonly yes --appendfsync everysec \
    --save "" --protected-mode yes
  wait_for 10 redis redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "redis did not start: $(tail -n 5 "$d/redis.log")"
  log "redis up on 127.0.0.1:$REDIS_PORT"
}
redis_stop() {
  local d="$STATE/redis"
  pid_alive "$d/redis.pid" || return 0
  local pid; pid="$(cat "$d/redis.pid")"
  redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$pid"
  wait_for 10 "redis stop" bash -c "! kill -0 $pid 2>/dev/null" || true
  log "redis stopped"
}

# ---- PostgreSQL ----
pg() { runuser -u postgres -- "$PG_BIN/$1" "${@:2}"; }
postgres_start() {
  local d="$STATE/postgres"
  mkdir -p "$d"; chown postgres:postgres "$d"
  if [[ ! -f "$d/data/PG_VERSION" ]]; then
    log "initialising PostgreSQL data dir"
    pg initdb -D "$d/data" --auth-local=trust --auth-host=scram-sha-256 -U postgres >/dev/null
  fi
  if pid_alive "$d/data/postmaster.pid" 2>/dev/null && pg pg_ctl -D "$d/data" status >/dev/null 2>&1; then
    log "postgres already running on $PG_PORT"; return
  fi
  claim_port "$PG_PORT" pg "$d/data/postmaster.pid"
  pg pg_ctl -D "$d/data" -l "$d/pg.log" -w -t 30 \
    -o "-p $PG_PORT -k $d -c listen_addresses=127.0.0.1" start >/dev/null \
    || die "postgres did not start: $(tail -n 5 "$d/pg.log")"
  pg psql -h "$d" -p "$PG_PORT" -U postgres -qtAc "select 1 from pg_roles where rolname='flashsale'" | grep -q 1 \
    || pg psql -h "$d" -p "$PG_PORT" -U postgres -qc "create role flashsale login password 'flashsale'"
  pg psql -h "$d" -p "$PG_PORT" -U postgres -qtAc "select 1 from pg_database where datname='flashsale'" | grep -q 1 \
    || pg psql -h "$d" -p "$PG_PORT" -U postgres -qc "create database flashsale owner flashsale"
  log "postgres up on 127.0.0.1:$PG_PORT (database flashsale)"
}
postgres_stop() {
  local d="$STATE/postgres"
  [[ -f "$d/data/postmaster.pid" ]] || return 0
  pg pg_ctl -D "$d/data" -m fast -w stop >/dev/null 2>&1 || true
  log "postgres stopped"
}
postgres_kill() {
  local f="$STATE/postgres/data/postmaster.pid"
  [[ -f "$f" ]] && kill -9 "$(head -n 1 "$f")" 2>/dev/null || true
  wait_for 10 "postgres gone" bash -c "! kill -0 $(head -n 1 "$f" 2>/dev/null || echo 0) 2>/dev/null" || true
  log "postgres killed"
}

# ---- Kafka (KRaft, single node) ----
kafka_start() {
  local d="$STATE/kafka"; mkdir -p "$d"
  pid_alive "$d/kafka.pid" && { log "kafka already running on $KAFKA_PORT"; return; }
  claim_port "$KAFKA_PORT" kafka "$d/kafka.pid"
  [[ -f "$KAFKA_HOME/.complete" ]] || die "Kafka is not installed: run '$0 install'"
  cat > "$d/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$d/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local java=(java -Xms128m -Xmx512m -XX:+UseSerialGC -cp "$KAFKA_HOME/libs/*")
  if [[ ! -f "$d/data/meta.properties" ]]; then
    local id; id="$("${java[@]}" kafka.tools.StorageTool random-uuid 2>>"$d/format.log")"
    "${java[@]}" kafka.tools.StorageTool format -t "$id" -c "$d/server.properties" >>"$d/format.log" 2>&1
  fi
  nohup "${java[@]}" kafka.Kafka "$d/server.properties" >"$d/kafka.log" 2>&1 &
  echo $! >"$d/kafka.pid"
  wait_for 60 kafka port_open "$KAFKA_PORT" || die "kafka did not start: $(tail -n 20 "$d/kafka.log")"
  log "kafka up on 127.0.0.1:$KAFKA_PORT"
}
kafka_stop() { stop_pidfile "$STATE/kafka/kafka.pid" kafka; }
kafka_kill() { kill_pidfile "$STATE/kafka/kafka.pid" kafka; }

# ---- Keycloak (OpenID Connect provider; realm from deploy/keycloak/flashsale-realm.json) ----
# kc.sh runs java as its child: started under setsid, the pid in the pidfile is also the process
# group, and signals go to the whole group so no java is left behind.
group_alive() { [[ -f "$1" ]] && kill -0 -- "-$(head -n 1 "$1")" 2>/dev/null; }
keycloak_answers() { curl -fsS -o /dev/null "$KEYCLOAK_ISSUER/.well-known/openid-configuration" 2>/dev/null; }
keycloak_answers_or_died() { keycloak_answers || ! group_alive "$1"; }
keycloak_start() {
  local d="$STATE/keycloak"; mkdir -p "$d"
  group_alive "$d/keycloak.pid" && { log "keycloak already running on $KEYCLOAK_PORT"; return; }
  claim_port "$KEYCLOAK_PORT" keycloak "$d/keycloak.pid"
  keycloak_installed || die "Keycloak is not installed (or built with other options): run '$0 install'"
  # A new database on every start: a start-up import skips a realm that already exists, so only this
  # makes the repo's realm file the one served. It costs nothing measurable (~14 s either way) and
  # loses nothing: users and clients come from the file, sessions are throwaway.
  rm -rf "$d/h2" "$d/import" "$d/transaction-logs"
  mkdir -p "$d/import"
  cp "$ROOT/deploy/keycloak/flashsale-realm.json" "$d/import/"
  # --cache=local: production mode would otherwise start a JGroups cluster on the external interface.
  # Everything of a profile lives in $d: the H2 file (--db-url), the realm to import
  # (keycloak.migration.dir: what --import-realm sets, but that one is fixed to <install>/data/import)
  # and the transaction log. Heap 256 MiB, serial GC and C1 only: ~370 MiB RSS instead of ~520,
  # same start-up time, ~0.1 s per password grant instead of ~0.07.
  # The admin user (master realm) is a local-only default; nothing but loopback reaches it.
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
  JAVA_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8 -Djava.security.egd=file:/dev/urandom" \
    nohup setsid "$KEYCLOAK_HOME/bin/kc.sh" start --optimized \
      --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
      --hostname="http://127.0.0.1:$KEYCLOAK_PORT" --cache=local \
      --db-url="jdbc:h2:file:$d/h2/keycloakdb;NON_KEYWORDS=VALUE;DB_CLOSE_ON_EXIT=FALSE" \
      -Dkeycloak.migration.dir="$d/import" \
      -Dquarkus.transaction-manager.object-store.directory="$d/transaction-logs" \
      >"$d/keycloak.log" 2>&1 </dev/null &
  echo $! >"$d/keycloak.pid"
  disown  # a kill on timeout is reported below, not as bash's "Killed" job notice
  wait_for 120 keycloak keycloak_answers_or_died "$d/keycloak.pid" || true
  if ! keycloak_answers; then
    local why="exited"
    if group_alive "$d/keycloak.pid"; then why="did not serve $KEYCLOAK_ISSUER within 120 s"; keycloak_kill >/dev/null; fi
    rm -f "$d/keycloak.pid"
    die "keycloak $why (log $d/keycloak.log):
$(tail -n 30 "$d/keycloak.log")"
  fi
  log "keycloak up on 127.0.0.1:$KEYCLOAK_PORT (issuer $KEYCLOAK_ISSUER)"
}
keycloak_stop() {
  local f="$STATE/keycloak/keycloak.pid"
  group_alive "$f" || { rm -f "$f"; return 0; }
  local pid; pid="$(head -n 1 "$f")"
  kill -- "-$pid" 2>/dev/null || true
  wait_for 30 "keycloak stop" bash -c "! kill -0 -- -$pid 2>/dev/null" || kill -9 -- "-$pid" 2>/dev/null || true
  rm -f "$f"
  log "keycloak stopped"
}
keycloak_kill() {
  local f="$STATE/keycloak/keycloak.pid"
  if group_alive "$f"; then
    local pid; pid="$(head -n 1 "$f")"
    kill -9 -- "-$pid" 2>/dev/null || true
    wait_for 10 "keycloak gone" bash -c "! kill -0 -- -$pid 2>/dev/null" || true
  fi
  rm -f "$f"
  log "keycloak killed"
}

stop_pidfile() {
  local f="$1"
  pid_alive "$f" || { rm -f "$f"; return 0; }
  local pid; pid="$(cat "$f")"
  kill "$pid"
  wait_for 30 "$2 stop" bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
  log "$2 stopped"
}
kill_pidfile() {
  local f="$1"
  pid_alive "$f" && kill -9 "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
  log "$2 killed"
}
redis_kill() { kill_pidfile "$STATE/redis/redis.pid" redis; }

status() {
  for s in redis:"$REDIS_PORT" postgres:"$PG_PORT" kafka:"$KAFKA_PORT" keycloak:"$KEYCLOAK_PORT"; do
    if port_open "${s#*:}"; then log "${s%%:*} up on 127.0.0.1:${s#*:}"; else log "${s%%:*} down"; fi
  done
}

# What the applications and tests need to find the services.
env_vars() {
  cat <<VARS
FLASHSALE_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
FLASHSALE_R2DBC_URL=r2dbc:postgresql://127.0.0.1:$PG_PORT/flashsale
FLASHSALE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/flashsale
FLASHSALE_DB_USER=flashsale
FLASHSALE_DB_PASSWORD=flashsale
FLASHSALE_KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
FLASHSALE_AUTH_ISSUER_URI=$KEYCLOAK_ISSUER
VARS
}

cmd="${1:-status}"
STEP="services $*"; STEP_MORE="logs under $STATE/"
case "$cmd" in
  install) install ;;
  start) redis_start; postgres_start; kafka_start ;;
  stop) keycloak_stop; kafka_stop; postgres_stop; redis_stop ;;
  status) status ;;
  env) env_vars ;;
  start-one|stop-one|kill-one)
    svc="${2:?service name: redis|postgres|kafka|keycloak}"
    case "$cmd:$svc" in
      start-one:redis|start-one:postgres|start-one:kafka|start-one:keycloak) "${svc}_start" ;;
      stop-one:redis|stop-one:postgres|stop-one:kafka|stop-one:keycloak) "${svc}_stop" ;;
      kill-one:redis|kill-one:postgres|kill-one:kafka|kill-one:keycloak) "${svc}_kill" ;;
      *) die "unknown service '$svc'" ;;
    esac ;;
  *) echo "usage: $0 [--profile stack|test] install|start|stop|status|env|start-one|stop-one|kill-one [service]" >&2; exit 2 ;;
esac
