#!/usr/bin/env bash
# Real Redis, PostgreSQL and a KRaft Kafka broker on loopback, for the local stack and the tests.
# Installed from Debian packages and Maven Central; no containers. Each profile has its own ports,
# data dir and pidfiles, so the test suite never disturbs a running local stack, and `stop` stops
# only the processes this script started.
#
#   scripts/services.sh [--profile stack|test] install|start|stop|status|env
#   scripts/services.sh [--profile ...] start-one|stop-one|kill-one redis|postgres|kafka
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
  log "installed: $(redis-server --version | cut -d' ' -f3), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), Kafka $KAFKA_VERSION"
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
  for s in redis:"$REDIS_PORT" postgres:"$PG_PORT" kafka:"$KAFKA_PORT"; do
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
VARS
}

cmd="${1:-status}"
STEP="services $*"; STEP_MORE="logs under $STATE/"
case "$cmd" in
  install) install ;;
  start) redis_start; postgres_start; kafka_start ;;
  stop) kafka_stop; postgres_stop; redis_stop ;;
  status) status ;;
  env) env_vars ;;
  start-one|stop-one|kill-one)
    svc="${2:?service name: redis|postgres|kafka}"
    case "$cmd:$svc" in
      start-one:redis|start-one:postgres|start-one:kafka) "${svc}_start" ;;
      stop-one:redis|stop-one:postgres|stop-one:kafka) "${svc}_stop" ;;
      kill-one:redis|kill-one:postgres|kill-one:kafka) "${svc}_kill" ;;
      *) die "unknown service '$svc'" ;;
    esac ;;
  *) echo "usage: $0 [--profile stack|test] install|start|stop|status|env|start-one|stop-one|kill-one [service]" >&2; exit 2 ;;
esac
