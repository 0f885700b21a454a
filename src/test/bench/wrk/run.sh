#!/usr/bin/env bash
# Measures the service's HTTP paths with wrk, the service and wrk sharing the machine:
#   the HTTP floor (GET /actuator/health/liveness), one-host submits, a job read, a page of the
#   job list (limit=50) with about 1,000 and then 100,000 jobs stored, and a page of the host
#   list (limit=50) with 10,000 hosts registered.
# The service runs from the packaged jar, embedded agents off, on a fresh H2 data directory or a
# fresh PostgreSQL schema; the hosts are registered through the agent protocol and no agent
# leases, so submitted tasks stay pending (the submit path is measured alone).
#
# usage: src/test/bench/wrk/run.sh [h2|postgres]   (from the repository, after ./mvnw -DskipTests package)
# env:   JOBS (100000), HOSTS (10000), DURATION (15s), CONNECTIONS (64), THREADS (2), PORT (18097),
#        HEAP (2g), PGURL (jdbc:postgresql://127.0.0.1:5432/test), PGUSER (postgres)
set -euo pipefail
cd "$(dirname "$0")/../../../.."
DB=${1:-h2}
JOBS=${JOBS:-100000}
HOSTS=${HOSTS:-10000}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18097}
HEAP=${HEAP:-2g}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=$(ls target/numashift-*.jar | grep -v plain | head -n 1)
LUA=src/test/bench/wrk
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d /tmp/numashift-wrk-XXXXXX)
OPERATOR=wrk-operator-$RANDOM$RANDOM
AGENT=wrk-agent-$RANDOM$RANDOM
export OPERATOR

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
host() { printf 'b%05d' "$1"; }

{
  echo "numashift:"
  echo "  security:"
  echo "    tokens:"
  echo "      - {name: wrk-operator, sha256: $(sha "$OPERATOR"), roles: [OPERATOR]}"
  printf '      - {name: wrk-agents, sha256: %s, roles: [AGENT], hosts: [' "$(sha "$AGENT")"
  for i in $(seq 0 $((HOSTS - 1))); do
    [ "$i" -gt 0 ] && printf ', '
    host "$i"
  done
  echo ']}'
} > "$WORK/tokens.yaml"

ARGS=(--server.port="$PORT" --numashift.data-dir="$WORK/data" --numashift.sim.embedded-agents=false
      --spring.config.additional-location=file:"$WORK/tokens.yaml" --logging.level.io.numashift=WARN
      --numashift.hosts.unknown-after=30m --numashift.hosts.offline-after=1h)
SCHEMA=""
if [ "$DB" = postgres ]; then
  SCHEMA=ns_wrk_$(date +%s)
  psql -q -h 127.0.0.1 -U "${PGUSER:-postgres}" -d test -c "create schema $SCHEMA"
  PGURL=${PGURL:-jdbc:postgresql://127.0.0.1:5432/test}
  ARGS+=(--spring.datasource.url="$PGURL?currentSchema=$SCHEMA" --spring.datasource.username="${PGUSER:-postgres}"
         --spring.flyway.schemas="$SCHEMA" --spring.flyway.default-schema="$SCHEMA")
fi

"$JAVA" -Xmx"$HEAP" -jar "$JAR" "${ARGS[@]}" > "$WORK/service.log" 2>&1 &
SERVICE=$!
cleanup() {
  kill "$SERVICE" 2>/dev/null || true
  wait "$SERVICE" 2>/dev/null || true
  if [ -n "$SCHEMA" ]; then psql -q -h 127.0.0.1 -U "${PGUSER:-postgres}" -d test -c "drop schema $SCHEMA cascade"; fi
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fs "$BASE/actuator/health/liveness" > /dev/null && break
  sleep 0.5
done

REGISTRATION='{"backend": "simulated", "agentVersion": "wrk", "pageSize": 4096, "topology": {"nodes": [{"id": 0, "capacityPages": 1000, "freePages": 900, "cpus": [0]}, {"id": 1, "capacityPages": 1000, "freePages": 1000, "cpus": [1]}], "distances": [[10, 20], [20, 10]]}}'
export BASE AGENT REGISTRATION
seq 0 $((HOSTS - 1)) | xargs -P 16 -I{} sh -c 'curl -fs -o /dev/null -X POST -H "Authorization: Bearer $AGENT" -H "Content-Type: application/json" -d "$REGISTRATION" "$BASE/api/v1/agents/$(printf b%05d {})/register"'

# Runs wrk (after 5 s of the same requests to warm the service up) and prints one table row:
# name, requests/s, p50, p99, non-2xx.
measure() {
  local name=$1; shift
  local out
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$@" > /dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  echo "$out" > "$WORK/$(echo "$name" | tr ' /' '__').txt"
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$DB" "$name" "$rps" "$p50" "$p99" "${bad:-0}"
}

# Submits until at least $1 jobs are stored in all (the service's own count of submits).
submitted() {
  curl -fs -H "Authorization: Bearer $OPERATOR" "$BASE/actuator/prometheus" \
    | awk '/^numashift_jobs_submitted_total/ {n += $2} END {printf "%d", n}'
}
seed() {
  HOST=$(host 0) wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s -s "$LUA/submit.lua" "$BASE/api/v1/jobs" > "$WORK/seed-$1.txt" &
  local seeding=$!
  while [ "$(submitted)" -lt "$1" ]; do sleep 1; done
  kill -INT "$seeding"
  wait "$seeding" || true
}

echo "| database | request | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
measure "HTTP floor: liveness" "$BASE/actuator/health/liveness"
seed 1000
export TOKEN=$OPERATOR
JOB=$(curl -fs -H "Authorization: Bearer $OPERATOR" "$BASE/api/v1/jobs?limit=1" | sed -E 's/.*"id":"([^"]+)".*/\1/')
measure "list page, limit=50, ~1,000 jobs" -s "$LUA/get.lua" "$BASE/api/v1/jobs?limit=50"
measure "job read" -s "$LUA/get.lua" "$BASE/api/v1/jobs/$JOB"
measure "host list page, limit=50, $HOSTS hosts" -s "$LUA/get.lua" "$BASE/api/v1/hosts?limit=50"
HOST=$(host 1) measure "one-host submit" -s "$LUA/submit.lua" "$BASE/api/v1/jobs"
seed "$JOBS"
measure "list page, limit=50, ~$JOBS jobs" -s "$LUA/get.lua" "$BASE/api/v1/jobs?limit=50"
measure "HTTP floor again: liveness" "$BASE/actuator/health/liveness"
echo
echo "raw outputs and the service log: $WORK"
