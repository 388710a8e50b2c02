#!/usr/bin/env bash
# A single-node Slurm cluster in a folder of its own, for tests and for trying `poslab slurm`:
#   Scripts/slurm_cluster.sh start DIR    installs slurm-wlm and munge when missing, writes DIR/slurm.conf,
#                                         starts munged, slurmctld and slurmd (as root), waits until the
#                                         node is idle; then `export SLURM_CONF=DIR/slurm.conf`
#   Scripts/slurm_cluster.sh stop DIR     stops every daemon it started, by the pids in DIR
# Everything (state, spool, logs, sockets, pid files) stays under DIR; ports come from the free range.
set -euo pipefail
action="${1:?usage: slurm_cluster.sh start|stop DIR}"
dir="$(mkdir -p "${2:?usage: slurm_cluster.sh start|stop DIR}" && cd "$2" && pwd)"

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then
      pid="$(cat "$dir/$name.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/$name.pid"
    fi
  done
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: slurm_cluster.sh start|stop DIR" >&2; exit 2; }

missing=()
for pkg in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "slurm_cluster: installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
# A munge key of this cluster's own, readable by root only.
[ -f "$dir/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$dir/munge/munge.key"; chmod 400 "$dir/munge/munge.key"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
ctld_port="$(free_port)"; d_port="$(free_port)"
cpus="$(nproc)"
memory="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"
cat > "$dir/slurm.conf" <<CONF
ClusterName=poslab
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SchedulerType=sched/backfill
NodeName=poslab1 NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=poslab1 Default=YES MaxTime=INFINITE State=UP
CONF

trap 'stop' ERR
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munge.seed"
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -N poslab1 -f "$SLURM_CONF"
for _ in $(seq 100); do
  if sinfo -h -o %t 2>/dev/null | grep -q idle; then
    echo "slurm_cluster: up in $dir (export SLURM_CONF=$SLURM_CONF)" >&2
    exit 0
  fi
  sleep 0.2
done
echo "slurm_cluster: the node did not become idle; logs in $dir/log" >&2
sinfo >&2 || true
stop
exit 1
