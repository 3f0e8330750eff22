#!/usr/bin/env bash
# Starts a one-node Slurm cluster on 127.0.0.1 in a temporary folder, runs the command given
# after `--` with SLURM_CONF exported (and the cluster's folder as FLYTEC_SLURM_DIR), and
# always stops the daemons it started, whatever the command does. Runs as root (CI does);
# installs slurm-wlm and munge with apt-get when they are missing.
#
#   test/integration/slurm/with_cluster.sh -- CMD [ARGS...]
#
# Environment: FLYTEC_SLURM_PORT (slurmctld's port, default 46817; slurmd uses the next
# one), FLYTEC_SLURM_KEEP=1 keeps the temporary folder (logs) after the run.
set -euo pipefail

if [[ ${1:-} == -- ]]; then shift; fi
if [[ $# -eq 0 ]]; then
  echo "usage: $0 -- CMD [ARGS...]" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "with_cluster.sh: the one-node cluster must be started as root" >&2
  exit 2
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "with_cluster.sh: installing slurm-wlm munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# A port is taken when something accepts a connection on it.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# slurmctld's port and slurmd's (the next one): the first free pair from
# FLYTEC_SLURM_PORT (default 46817), so that a cluster still stopping does not answer
# for this one.
port=${FLYTEC_SLURM_PORT:-46817}
for _ in $(seq 20); do
  if ! port_taken "$port" && ! port_taken $((port + 1)); then break; fi
  port=$((port + 2))
done
if port_taken "$port" || port_taken $((port + 1)); then
  echo "with_cluster.sh: no free ports from ${FLYTEC_SLURM_PORT:-46817}" >&2
  exit 1
fi
tmp=$(mktemp -d /tmp/flytec-slurm.XXXXXX)
chmod 755 "$tmp"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/run"
conf="$tmp/slurm.conf"
started_munge=0

# shellcheck disable=SC2317  # called by the EXIT trap
stop_cluster() {
  local rc=$?
  set +e
  for pidfile in "$tmp/run/slurmd.pid" "$tmp/run/slurmctld.pid"; do
    if [[ -s $pidfile ]]; then
      kill "$(cat "$pidfile")" 2>/dev/null
    fi
  done
  # Give the daemons a moment to exit, then make sure.
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    alive=0
    for pidfile in "$tmp/run/slurmd.pid" "$tmp/run/slurmctld.pid"; do
      if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then alive=1; fi
    done
    [[ $alive -eq 0 ]] && break
    sleep 0.3
  done
  for pidfile in "$tmp/run/slurmd.pid" "$tmp/run/slurmctld.pid"; do
    if [[ -s $pidfile ]]; then kill -9 "$(cat "$pidfile")" 2>/dev/null; fi
  done
  if [[ $started_munge -eq 1 && -s $tmp/run/munged.pid ]]; then
    kill "$(cat "$tmp/run/munged.pid")" 2>/dev/null
  fi
  if [[ $rc -ne 0 ]]; then
    echo "with_cluster.sh: exit $rc; slurmctld log tail:" >&2
    tail -n 20 "$tmp/log/slurmctld.log" >&2 2>/dev/null
    tail -n 20 "$tmp/log/slurmd.log" >&2 2>/dev/null
  fi
  if [[ ${FLYTEC_SLURM_KEEP:-0} == 1 ]]; then
    echo "with_cluster.sh: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# munge: reuse a running munged, else start one with its socket folder owned by munge.
if ! munge -n </dev/null >/dev/null 2>&1; then
  mkdir -p /run/munge
  chown munge: /run/munge
  chmod 755 /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge: /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  munged --force --pid-file="$tmp/run/munged.pid" 2> >(grep -v 'Logfile is insecure' >&2)
  started_munge=1
  for _ in $(seq 50); do
    munge -n </dev/null >/dev/null 2>&1 && break
    sleep 0.1
  done
fi

cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
real_mem=$((mem_mb - 1024))
cat >"$conf" <<CONF
# One-node test cluster written by with_cluster.sh; everything lives under $tmp.
ClusterName=flytec-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
# A requeued job waits the credential's lifetime before it starts again (default 120 s).
AuthInfo=cred_expire=10
CryptoType=crypto/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
# Small memory per CPU so that trivial jobs run side by side, not one at a time.
DefMemPerCPU=100
# Schedule at once on every submit and end, and forget finished jobs quickly.
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=2,sched_min_interval=0,default_queue_depth=1000,max_rpc_cnt=0
MinJobAge=30
MessageTimeout=20
KillWait=5
InactiveLimit=0
MaxArraySize=10001
MaxJobCount=100000
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
CONF
export SLURM_CONF=$conf
export FLYTEC_SLURM_DIR=$tmp

slurmctld -f "$conf"
slurmd -f "$conf" -N localhost

# Wait until the node is idle (up to 30 s), and make sure our own daemons answer.
state=unknown
for _ in $(seq 150); do
  for pidfile in "$tmp/run/slurmctld.pid" "$tmp/run/slurmd.pid"; do
    if [[ -s $pidfile ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "with_cluster.sh: $(basename "$pidfile" .pid) exited" >&2
      exit 1
    fi
  done
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  [[ $state == idle ]] && break
  sleep 0.2
done
if [[ $state != idle ]]; then
  echo "with_cluster.sh: node did not become idle (state: ${state:-none})" >&2
  exit 1
fi
echo "with_cluster.sh: one-node cluster up (SLURM_CONF=$conf, $cpus CPUs, ${real_mem} MB)" >&2

set +e
"$@"
rc=$?
set -e
exit "$rc"
