#!/usr/bin/env bash
# Real Apache Kafka 4.1.1 (KRaft, no ZooKeeper, no Docker) for development and tests.
#
# The broker jars come from Maven Central via deploy/kafka/pom.xml and are cached in
# ${XKLD_CACHE:-~/.cache/xkld}/kafka-4.1.1/libs; broker state lives in
# ${XKLD_STATE:-<repo>/.state}/kafka-<mode>/node-<id>/.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: kafka.sh <command> [args]

  fetch                         download the broker jars into the cache (no-op when cached)
  start [single|cluster]        fetch, format storage if needed, start in background (default: single)
  stop [single|cluster|all]     SIGTERM, then SIGKILL after ~20 s (default: all); idempotent
  wait [single|cluster] [secs]  block until every broker of the mode is ready (default: single 90)
  status                        show running brokers (mode, node, pid, ports)
  bootstrap [single|cluster]    print the bootstrap servers string
  reset [single|cluster]        stop and delete that mode's state (default: single)

modes:
  single   1 node (broker+controller), 127.0.0.1:${XKLD_KAFKA_PORT:-19092},
           controller :${XKLD_KAFKA_CONTROLLER_PORT:-19093}
  cluster  3 nodes, brokers 127.0.0.1:19192-19194 (XKLD_KAFKA_CLUSTER_PORT_BASE + 1..3),
           controllers :19292-19294 (XKLD_KAFKA_CLUSTER_CONTROLLER_PORT_BASE + 1..3), RF 3, min ISR 2

env: XKLD_CACHE, XKLD_STATE, XKLD_KAFKA_PORT, XKLD_KAFKA_CONTROLLER_PORT,
     XKLD_KAFKA_CLUSTER_PORT_BASE (19191), XKLD_KAFKA_CLUSTER_CONTROLLER_PORT_BASE (19291),
     XKLD_KAFKA_JVM_OPTS (extra JVM flags for the brokers),
     XKLD_KAFKA_FLUSH_INTERVAL_MESSAGES (unset: the OS flushes; 1: fsync every message)
EOF
}

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

KAFKA_VERSION=4.1.1
POM="$REPO_ROOT/deploy/kafka/pom.xml"
LOG4J_CONF="$REPO_ROOT/deploy/kafka/log4j2.yaml"
CACHE_ROOT="${XKLD_CACHE:-${HOME:-/root}/.cache/xkld}"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS_DIR="$KAFKA_HOME/libs"
MARKER="$LIBS_DIR/.xkld-fetch-complete"
STATE_ROOT="${XKLD_STATE:-$REPO_ROOT/.state}"
STOP_TIMEOUT_S=20

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- topology ---

check_mode() {
  case "$1" in
    single | cluster) ;;
    *) die "unknown mode '$1' (expected single or cluster)" ;;
  esac
}

node_ids() {
  case "$1" in
    single) echo 1 ;;
    cluster) echo 1 2 3 ;;
  esac
}

broker_port() { # mode id
  case "$1" in
    single) echo "${XKLD_KAFKA_PORT:-19092}" ;;
    cluster) echo $((${XKLD_KAFKA_CLUSTER_PORT_BASE:-19191} + $2)) ;;
  esac
}

controller_port() { # mode id
  case "$1" in
    single) echo "${XKLD_KAFKA_CONTROLLER_PORT:-19093}" ;;
    cluster) echo $((${XKLD_KAFKA_CLUSTER_CONTROLLER_PORT_BASE:-19291} + $2)) ;;
  esac
}

mode_dir() { echo "$STATE_ROOT/kafka-$1"; }
node_dir() { echo "$STATE_ROOT/kafka-$1/node-$2"; }

bootstrap_servers() {
  local mode="$1" id out=""
  for id in $(node_ids "$mode"); do
    out="${out:+$out,}127.0.0.1:$(broker_port "$mode" "$id")"
  done
  echo "$out"
}

# ------------------------------------------------------------------- tools ---

ensure_tools() {
  local missing=()
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } ||
      die "apt-get install ${missing[*]} failed"
  else
    die "missing ${missing[*]}: apt-get install ${missing[*]}"
  fi
}

pom_digest() { sha256sum "$POM" | cut -d' ' -f1; }

cmd_fetch() {
  local digest
  digest="$(pom_digest)"
  if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$digest" ]; then
    return 0
  fi
  ensure_tools
  mkdir -p "$KAFKA_HOME"
  # Serialise concurrent fetches (parallel test jobs).
  exec 8>"$KAFKA_HOME/.fetch.lock"
  flock 8
  if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$digest" ]; then
    exec 8>&-
    return 0
  fi
  log "fetching Kafka $KAFKA_VERSION jars into $LIBS_DIR (Maven Central)"
  local tmp="$KAFKA_HOME/libs.tmp.$$"
  rm -rf "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" >"$KAFKA_HOME/fetch.log" 2>&1; then
    cat "$KAFKA_HOME/fetch.log" >&2
    rm -rf "$tmp"
    die "mvn dependency:copy-dependencies failed (see above)"
  fi
  [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || { rm -rf "$tmp"; die "kafka jar missing after fetch"; }
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  echo "$digest" >"$MARKER"
  exec 8>&-
  log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars"
}

# Short-lived tool JVMs (StorageTool, BrokerApiVersionsCommand): small heap, C1 only, quick start.
TOOL_JVM_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=2 -Djava.awt.headless=true)
java_tool() { # class args...
  java "${TOOL_JVM_OPTS[@]}" -cp "$LIBS_DIR/*" "$@"
}

# ----------------------------------------------------------- process state ---

# Prints the pid of the node's broker if it is running, else nothing. A pid file is only dropped
# when its process is gone (a live pid may be a start in progress that has not exec'd java yet).
node_pid() { # mode id
  local dir pid
  dir="$(node_dir "$1" "$2")"
  [ -f "$dir/kafka.pid" ] || return 0
  pid="$(cat "$dir/kafka.pid" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/server.properties"; then
      echo "$pid"
    fi
  else
    rm -f "$dir/kafka.pid"
  fi
}

# Serialise start/stop/reset of brokers (parallel test jobs, several shells).
lock_state() {
  mkdir -p "$STATE_ROOT"
  exec 9>"$STATE_ROOT/.kafka.lock"
  flock 9
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ------------------------------------------------------------------- start ---

write_server_properties() { # mode id
  local mode="$1" id="$2" dir voters="" n rf min_isr
  dir="$(node_dir "$mode" "$id")"
  for n in $(node_ids "$mode"); do
    voters="${voters:+$voters,}$n@127.0.0.1:$(controller_port "$mode" "$n")"
  done
  if [ "$mode" = single ]; then rf=1 min_isr=1; else rf=3 min_isr=2; fi
  cat >"$dir/server.properties" <<EOF
# Generated by deploy/infra/kafka.sh ($mode mode); rewritten on every start.
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(broker_port "$mode" "$id"),CONTROLLER://127.0.0.1:$(controller_port "$mode" "$id")
advertised.listeners=PLAINTEXT://127.0.0.1:$(broker_port "$mode" "$id")
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data

# Topics
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$min_isr
unclean.leader.election.enable=false

# Internal topics (fewer partitions than the defaults: faster first group join on a dev box)
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0

# Small footprint for a 2-core dev/test box
num.network.threads=2
num.io.threads=4
num.replica.fetchers=1
num.recovery.threads.per.data.dir=1
background.threads=4
log.retention.hours=24
log.retention.bytes=268435456
log.segment.bytes=16777216
log.retention.check.interval.ms=60000
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
$(flush_setting)
EOF
}

# Kafka acknowledges a write once it is in the brokers' page cache and leaves flushing to the OS.
# XKLD_KAFKA_FLUSH_INTERVAL_MESSAGES=1 fsyncs every message before the ack (see docs/operations.md).
flush_setting() {
  local n="${XKLD_KAFKA_FLUSH_INTERVAL_MESSAGES:-}"
  [ -n "$n" ] || return 0
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "XKLD_KAFKA_FLUSH_INTERVAL_MESSAGES must be a positive number"
  printf '# fsync before acknowledging (XKLD_KAFKA_FLUSH_INTERVAL_MESSAGES)\nlog.flush.interval.messages=%s\n' "$n"
}

start_node() { # mode id
  local mode="$1" id="$2" dir heap pid bport cport
  dir="$(node_dir "$mode" "$id")"
  bport="$(broker_port "$mode" "$id")"
  cport="$(controller_port "$mode" "$id")"
  if [ -n "$(node_pid "$mode" "$id")" ]; then
    log "$mode node $id already running (pid $(node_pid "$mode" "$id")), nothing to do"
    return 0
  fi
  for p in "$bport" "$cport"; do
    port_open "$p" && die "port 127.0.0.1:$p is already in use by another process"
  done
  mkdir -p "$dir/data"
  write_server_properties "$mode" "$id"
  if [ ! -f "$dir/data/meta.properties" ]; then
    java_tool kafka.tools.StorageTool format -t "$(cat "$(mode_dir "$mode")/cluster.id")" \
      -c "$dir/server.properties" >"$dir/format.out" 2>&1 ||
      { cat "$dir/format.out" >&2; die "formatting storage of $mode node $id failed"; }
  fi
  if [ "$mode" = single ]; then heap="-Xms256m -Xmx768m"; else heap="-Xms256m -Xmx512m"; fi
  # Fresh log per run, so `wait` never sees a previous run's "started" line.
  [ -f "$dir/server.log" ] && mv -f "$dir/server.log" "$dir/server.log.prev"
  [ -f "$dir/kafka.out" ] && mv -f "$dir/kafka.out" "$dir/kafka.out.prev"
  # log4j2.shutdownHookEnabled=false: otherwise log4j's own JVM shutdown hook closes the log
  # while Kafka's shutdown hook is still running, so the end of every shutdown is lost and a
  # "Unable to register Log4j shutdown hook" warning lands in kafka.out (appenders flush per line).
  # shellcheck disable=SC2086  # word splitting of the JVM option strings is intended
  (
    cd "$dir"
    exec setsid nohup java -server $heap \
      -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -XX:ActiveProcessorCount=2 -XX:+ExitOnOutOfMemoryError \
      "-Xlog:gc*:file=$dir/gc.log:time,tags:filecount=2,filesize=5M" \
      -Djava.awt.headless=true \
      "-Dlog4j2.configurationFile=file:$LOG4J_CONF" "-Dkafka.logs.dir=$dir" \
      -Dlog4j2.shutdownHookEnabled=false \
      ${XKLD_KAFKA_JVM_OPTS:-} \
      -cp "$LIBS_DIR/*" kafka.Kafka "$dir/server.properties" \
      </dev/null >"$dir/kafka.out" 2>&1 8>&- 9>&-
  ) &
  pid=$!
  echo "$pid" >"$dir/kafka.pid"
  # setsid only forks if we happen to lead a process group; then find the JVM by its config path.
  sleep 0.3
  if [ -z "$(node_pid "$mode" "$id")" ]; then
    pid="$(pgrep -f -- "kafka.Kafka $dir/server.properties" | head -n 1 || true)"
    [ -n "$pid" ] || { tail -n 40 "$dir/kafka.out" >&2 || true; die "$mode node $id exited right away"; }
    echo "$pid" >"$dir/kafka.pid"
  fi
  log "started $mode node $id (pid $pid, broker 127.0.0.1:$bport, controller 127.0.0.1:$cport, logs $dir/server.log)"
}

cmd_start() {
  local mode="${1:-single}" mdir id
  check_mode "$mode"
  cmd_fetch
  ensure_tools
  lock_state
  mdir="$(mode_dir "$mode")"
  mkdir -p "$mdir"
  if [ ! -s "$mdir/cluster.id" ]; then
    java_tool kafka.tools.StorageTool random-uuid >"$mdir/cluster.id.tmp"
    mv "$mdir/cluster.id.tmp" "$mdir/cluster.id"
  fi
  for id in $(node_ids "$mode"); do
    start_node "$mode" "$id"
  done
}

# -------------------------------------------------------------------- stop ---

cmd_stop() {
  local what="${1:-all}" modes mode id pid pids=() pidfiles=() deadline i
  case "$what" in
    all) modes="single cluster" ;;
    single | cluster) modes="$what" ;;
    *) die "unknown mode '$what' (expected single, cluster or all)" ;;
  esac
  lock_state
  for mode in $modes; do
    for id in $(node_ids "$mode"); do
      pid="$(node_pid "$mode" "$id")"
      [ -n "$pid" ] || continue
      log "stopping $mode node $id (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      pidfiles+=("$(node_dir "$mode" "$id")/kafka.pid")
    done
  done
  [ "${#pids[@]}" -gt 0 ] || return 0
  deadline=$((SECONDS + STOP_TIMEOUT_S))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not exit after ${STOP_TIMEOUT_S}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  done
  for i in "${!pids[@]}"; do
    [ "$(cat "${pidfiles[$i]}" 2>/dev/null || true)" = "${pids[$i]}" ] && rm -f "${pidfiles[$i]}"
  done
  log "stopped"
}

# -------------------------------------------------------------------- wait ---

fail_wait() { # mode id reason
  local dir
  dir="$(node_dir "$1" "$2")"
  log "$1 node $2: $3"
  # The first errors say why a node stopped; the last lines only show its orderly shutdown.
  if [ -s "$dir/server.log" ] && grep -qE ' (ERROR|FATAL) ' "$dir/server.log"; then
    echo "----- first errors in $dir/server.log -----" >&2
    grep -m 10 -A 3 -E ' (ERROR|FATAL) ' "$dir/server.log" >&2 || true
  fi
  for f in server.log kafka.out; do
    if [ -s "$dir/$f" ]; then
      echo "----- last 40 lines of $dir/$f -----" >&2
      tail -n 40 "$dir/$f" >&2
    fi
  done
  exit 1
}

cmd_wait() {
  local mode="${1:-single}" timeout_s="${2:-90}" deadline id dir pid
  check_mode "$mode"
  [[ "$timeout_s" =~ ^[0-9]+$ ]] || die "timeout must be a number of seconds"
  deadline=$((SECONDS + timeout_s))
  for id in $(node_ids "$mode"); do
    dir="$(node_dir "$mode" "$id")"
    while :; do
      pid="$(node_pid "$mode" "$id")"
      [ -n "$pid" ] || fail_wait "$mode" "$id" "not running"
      if port_open "$(broker_port "$mode" "$id")" &&
        grep -q "\[KafkaRaftServer nodeId=$id\] Kafka Server started" "$dir/server.log" 2>/dev/null; then
        break
      fi
      [ "$SECONDS" -lt "$deadline" ] || fail_wait "$mode" "$id" "not ready after ${timeout_s}s"
      sleep 0.5
    done
  done
  # End-to-end check: every broker answers an ApiVersions request through the bootstrap list.
  local servers out n want left
  servers="$(bootstrap_servers "$mode")"
  want="$(node_ids "$mode" | wc -w)"
  while :; do
    left=$((deadline - SECONDS))
    [ "$left" -ge 10 ] || left=10
    out="$(timeout "$left" java "${TOOL_JVM_OPTS[@]}" -cp "$LIBS_DIR/*" org.apache.kafka.tools.BrokerApiVersionsCommand \
      --bootstrap-server "$servers" 2>&1 || true)"
    n="$(grep -c '^127\.0\.0\.1:[0-9]* (id: [0-9]* rack: .*) -> (' <<<"$out" || true)"
    [ "$n" -ge "$want" ] && break
    [ "$SECONDS" -lt "$deadline" ] || { echo "$out" | tail -n 20 >&2; fail_wait "$mode" 1 "ApiVersions check failed (${n}/${want} brokers answered)"; }
    sleep 1
  done
  log "$mode ready: $servers"
}

# ------------------------------------------------------------------ status ---

cmd_status() {
  local mode id pid any=0
  for mode in single cluster; do
    for id in $(node_ids "$mode"); do
      pid="$(node_pid "$mode" "$id")"
      [ -n "$pid" ] || continue
      any=1
      printf '%-8s node %s  pid %-7s broker 127.0.0.1:%s  controller 127.0.0.1:%s\n' \
        "$mode" "$id" "$pid" "$(broker_port "$mode" "$id")" "$(controller_port "$mode" "$id")"
    done
  done
  [ "$any" -eq 1 ] || echo "no kafka broker running"
}

cmd_reset() {
  local mode="${1:-single}"
  check_mode "$mode"
  cmd_stop "$mode"
  rm -rf "$(mode_dir "$mode")"
  log "deleted $(mode_dir "$mode")"
}

# -------------------------------------------------------------------- main ---

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  fetch) cmd_fetch ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  wait) cmd_wait "$@" ;;
  status) cmd_status ;;
  bootstrap)
    check_mode "${1:-single}"
    bootstrap_servers "${1:-single}"
    ;;
  reset) cmd_reset "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
