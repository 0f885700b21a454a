# Shared by numashift's Slurm scripts (sourced, not run). Site settings come from the file
# $NUMASHIFT_SLURM_ENV (default /etc/numashift/slurm.env), a shell file of variable assignments:
#
#   NUMASHIFT_URL=http://numashift-a:8080,http://numashift-b:8080   # the service, replicas in turn
#   NUMASHIFT_TOKEN_FILE=/etc/numashift/slurm.token                 # an operator token
#   NUMASHIFT_BIN=/usr/local/bin/numashift                          # the command line
#   NUMASHIFT_TIMEOUT=120s                                          # how long a script waits
#   NUMASHIFT_SLURM_LOG=/var/log/numashift-slurm.log                # besides syslog
#
# Slurm runs prologs with no PATH and drains a node whose prolog fails: these scripts set their
# own PATH, and never fail because numashift is away or a migration failed; they say so in the log.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

NUMASHIFT_SLURM_ENV=${NUMASHIFT_SLURM_ENV:-/etc/numashift/slurm.env}
if [ -r "$NUMASHIFT_SLURM_ENV" ]; then
  # shellcheck disable=SC1090
  . "$NUMASHIFT_SLURM_ENV"
fi
NUMASHIFT_BIN=${NUMASHIFT_BIN:-numashift}
NUMASHIFT_TIMEOUT=${NUMASHIFT_TIMEOUT:-120s}
[ -n "${NUMASHIFT_URL:-}" ] && export NUMASHIFT_URL
[ -n "${NUMASHIFT_TOKEN_FILE:-}" ] && export NUMASHIFT_TOKEN_FILE
[ -n "${NUMASHIFT_JAR:-}" ] && export NUMASHIFT_JAR
[ -n "${JAVA_HOME:-}" ] && export JAVA_HOME

# ns_log MESSAGE: one line to syslog (tag numashift-slurm), to $NUMASHIFT_SLURM_LOG and to stderr.
ns_log() {
  line="$(basename "$0") job ${NS_JOB:-${SLURM_JOB_ID:-?}}: $*"
  command -v logger >/dev/null 2>&1 && logger -t numashift-slurm -- "$line" 2>/dev/null
  [ -n "${NUMASHIFT_SLURM_LOG:-}" ] && printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$line" >>"$NUMASHIFT_SLURM_LOG" 2>/dev/null
  printf '%s\n' "$line" >&2
}

# ns_expand LIST: a CPU or node list such as 0-3,8,10-11, one number a line.
ns_expand() {
  printf '%s\n' "$1" | tr ',' '\n' | awk -F- 'NF == 1 && $1 != "" { print $1 } NF == 2 { for (i = $1; i <= $2; i++) print i }'
}

# ns_nodes_of_cpus CPULIST: the NUMA nodes (comma-separated) that hold any of these CPUs.
ns_nodes_of_cpus() {
  cpus=$(ns_expand "$1")
  nodes=""
  for dir in /sys/devices/system/node/node[0-9]*; do
    [ -r "$dir/cpulist" ] || continue
    node=${dir##*node}
    for cpu in $(ns_expand "$(cat "$dir/cpulist")"); do
      if printf '%s\n' "$cpus" | grep -qx "$cpu"; then
        nodes="$nodes${nodes:+,}$node"
        break
      fi
    done
  done
  printf '%s\n' "$nodes"
}

# ns_memory_nodes: every NUMA node of this host that has memory, comma-separated.
ns_memory_nodes() {
  list=$(cat /sys/devices/system/node/has_memory 2>/dev/null || echo 0)
  ns_expand "$list" | paste -sd, -
}

# ns_without LIST REMOVE: LIST's numbers that are not in REMOVE, comma-separated.
ns_without() {
  remove=$(ns_expand "$2")
  for n in $(ns_expand "$1"); do
    printf '%s\n' "$remove" | grep -qx "$n" || printf '%s\n' "$n"
  done | paste -sd, -
}

# ns_submit WHAT ARGS...: `numashift submit ARGS --wait`, logged with what its exit code means.
# Returns numashift's exit code; callers that run inside a job ignore it.
ns_submit() {
  what=$1
  shift
  out=$("$NUMASHIFT_BIN" submit "$@" --wait --timeout "$NUMASHIFT_TIMEOUT" 2>&1)
  code=$?
  summary=$(printf '%s\n' "$out" | grep -E '^job [0-9a-f-]{36} ' | tail -n 1)
  case $code in
    0) ns_log "$what: done: $summary" ;;
    2) ns_log "$what: partly done: $summary; $(printf '%s\n' "$out" | sed -n '/^failures:/,$p' | tr '\n' ' ')" ;;
    1) ns_log "$what: failed: $summary; $(printf '%s\n' "$out" | sed -n '/^failures:/,$p' | tr '\n' ' ')" ;;
    3) ns_log "$what: cancelled: $summary" ;;
    4) ns_log "$what: not done after $NUMASHIFT_TIMEOUT; the migration goes on: $summary" ;;
    69) ns_log "$what: numashift is unreachable, nothing was moved; the job goes on: $(printf '%s\n' "$out" | tail -n 1)" ;;
    *) ns_log "$what: numashift exit $code, nothing known to be moved; the job goes on: $(printf '%s\n' "$out" | tail -n 1)" ;;
  esac
  return $code
}
