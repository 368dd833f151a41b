# shellcheck shell=bash
# A single-node Slurm on loopback for tests and benchmarks (../SCALE-OUT.md). Source this file,
# then `local_slurm_up DIR` starts munged, slurmctld and slurmd with their state under DIR, on
# ports of their own, and exports SLURM_CONF (DIR and all its parents must be o+x: munged's
# socket is in it); `local_slurm_down` stops them and unmounts what was mounted. Needs root (the
# daemons run as root) and Debian's slurmctld, slurmd, slurm-client and munge
# (scripts/bootstrap). local_slurm_up returns 2 when no cgroup filesystem can be had.
# shellcheck disable=SC2034 # used by the scripts that source this file
local_slurm_tools="slurmctld slurmd sbatch squeue scontrol sinfo munged mungekey"
local_slurm_pids=()
local_slurm_cgroup=""

local_slurm_up() {
  local root=$1
  mkdir -p "$root"/{etc,state,spool,log} "$root"/munge/{etc,run,log,lib}
  # munge: the socket folder and all its parents o+x, the key folder private.
  chmod 755 "$root" "$root/munge" "$root/munge/run"
  chmod 700 "$root/munge/etc" "$root/munge/log" "$root/munge/lib"
  local sock=$root/munge/run/munge.sock
  mungekey --create --keyfile="$root/munge/etc/munge.key" || return 1
  munged -F --key-file="$root/munge/etc/munge.key" --socket="$sock" \
    --pid-file="$root/munge/run/munged.pid" --log-file="$root/munge/log/munged.log" \
    --seed-file="$root/munge/lib/munged.seed" >"$root/log/munged.log" 2>&1 &
  local_slurm_pids+=($!)
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
  if [ ! -S "$sock" ]; then
    echo "munged did not start: $(tail -n 1 "$root/munge/log/munged.log" 2>/dev/null)" >&2
    return 1
  fi

  # Ports of our own, so that a second run or a leftover daemon does not answer.
  local port=$((20000 + $$ % 20000))
  export SLURM_CONF=$root/etc/slurm.conf
  cat >"$SLURM_CONF" <<CONF
ClusterName=rlxlocal
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock,cred_expire=5
StateSaveLocation=$root/state
SlurmdSpoolDir=$root/spool
SlurmctldPidFile=$root/state/slurmctld.pid
SlurmdPidFile=$root/spool/slurmd.pid
SlurmctldLogFile=$root/log/slurmctld.log
SlurmdLogFile=$root/log/slurmd.log
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
RequeueExit=75
ReturnToService=2
KillWait=2
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=rlx Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  # slurmd needs a cgroup filesystem even with proctrack/linuxproc and task/none (22.05 cannot
  # disable it). A machine has one at /sys/fs/cgroup; a bare chroot (fresh-machine.sh) does not:
  # then a private one is mounted under $root (cgroup v1, mounted by slurmd itself).
  local fs_type
  fs_type=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo none)
  if [ "$fs_type" != tmpfs ] && [ "$fs_type" != cgroup2fs ]; then
    mkdir -p "$root/cgroup"
    mount -t tmpfs rlx-cgroup "$root/cgroup" || return 2
    local_slurm_cgroup=$root/cgroup
    printf 'CgroupPlugin=cgroup/v1\nCgroupAutomount=yes\nCgroupMountpoint=%s\n' "$root/cgroup" \
      >"$root/etc/cgroup.conf"
  fi
  slurmctld -D -i >"$root/log/slurmctld.out" 2>&1 &
  local ctld=$!
  slurmd -D -N localhost >"$root/log/slurmd.out" 2>&1 &
  local slurmd=$!
  local_slurm_pids+=("$ctld" "$slurmd")
  local deadline=$(($(date +%s) + 60))
  until timeout 5 sinfo -h -n localhost -o %T 2>/dev/null | grep -qx idle; do
    if ! kill -0 "$ctld" 2>/dev/null || ! kill -0 "$slurmd" 2>/dev/null; then
      echo "a Slurm daemon died" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "Slurm was not ready in 60 s" >&2
      return 1
    fi
    sleep 0.2
  done
}

local_slurm_down() {
  local p m
  for p in "${local_slurm_pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${local_slurm_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  local_slurm_pids=()
  if [ -n "$local_slurm_cgroup" ]; then
    for m in $(awk -v r="$local_slurm_cgroup" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do
      umount "$m" 2>/dev/null
    done
    local_slurm_cgroup=""
  fi
}
