#!/usr/bin/env bash
# Start a one-node Slurm cluster, with job accounting, on this Debian 12 machine.
#
# For tests and CI only: tests/conftest.py (the slurm_cluster fixture) runs it (as root) before it sends
# the workflow to Slurm, and ci/slurm/stop-cluster.sh stops it again.
#
# What it does, each step only where it is not done yet (running it twice is
# fine: the second run only verifies that the cluster is up):
#   1. apt-get installs slurmctld, slurmd, slurm-client, slurmdbd, munge and
#      mariadb-server (services are not started by the packages);
#   2. writes the munge key, /etc/slurm/slurm.conf and /etc/slurm/slurmdbd.conf
#      (one node: this machine, with the memory and CPUs slurmd detects but
#      at least $NODE_MIN_CPUS CPUs and $NODE_MIN_MEM_MB MB, so that profiles/slurm
#      as shipped runs here, its jobs sharing the real CPUs; three partitions
#      of it: "debug", the default; "small", which gives a job at most 2 CPUs
#      (MaxCPUsPerNode), the size of the nodes in issue 29; "held", whose
#      MinNodes=2 no job on this one node meets: Slurm keeps a job sent there
#      pending for ever, reason PartitionNodeLimit);
#   3. starts mariadbd, munged, slurmdbd, slurmctld and slurmd directly (there
#      is no systemd here), each in the foreground of its own session, and
#      records their PIDs under $STATE_DIR;
#   4. creates the accounting database, registers the cluster, an account and
#      root's association;
#   5. waits until `sinfo` shows the node idle.
#
# Environment (all optional):
#   ASCFLOW_SLURM_STATE_DIR  PID files and daemon logs (/run/ascflow-slurm)
#   ASCFLOW_SLURM_TIMEOUT    seconds to wait for each daemon (90)
#
# Facts this set-up rests on (found on a container without systemd or cgroups):
#   - the config must be /etc/slurm/slurm.conf: the Snakemake plugin's job step
#     drops SLURM_CONF from the environment, so a config elsewhere is not found;
#   - ProctrackType=proctrack/linuxproc and TaskPlugin=task/none: the cgroup
#     plugins (the defaults) make every job step fail without cgroups;
#   - DefMemPerCPU: without it a job with no memory request gets the whole node;
#   - SlurmdParameters=config_overrides: slurmd takes the node's CPUs and
#     memory from slurm.conf, not from the hardware, and does not drain a node
#     configured larger than it is;
#   - accounting (slurmdbd): the plugin asks `sacct` for job states.
set -euo pipefail

STATE_DIR=${ASCFLOW_SLURM_STATE_DIR:-/run/ascflow-slurm}
TIMEOUT=${ASCFLOW_SLURM_TIMEOUT:-90}

CLUSTER=ascflow
PARTITION=debug
# The node's least CPUs and memory (MB), whatever the machine has: the
# training jobs of profiles/slurm ask for 8 CPUs, its group of feature jobs
# for 6 CPUs and 6 GB, and two trainings may run at once.
NODE_MIN_CPUS=16
NODE_MIN_MEM_MB=16000
ACCOUNT=ascflow
DEF_MEM_PER_CPU=1024
DB_NAME=slurm_acct_db
DB_USER=slurm
SLURM_CONF_FILE=/etc/slurm/slurm.conf
SLURMDBD_CONF_FILE=/etc/slurm/slurmdbd.conf
MARKER="# Written by ascflow's ci/slurm/start-cluster.sh; safe to delete."
PACKAGES=(slurmctld slurmd slurm-client slurmdbd munge mariadb-server)

log() { printf '[start-cluster] %s\n' "$*"; }
die() {
    printf '[start-cluster] ERROR: %s\n' "$*" >&2
    exit 1
}

# --- 0. Preconditions --------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and starts system daemons)."
[[ -f /etc/debian_version ]] || die "needs Debian (apt-get, Debian's Slurm packages); this is not Debian."

# --- 1. Packages -------------------------------------------------------------

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
    local missing=() pkg
    for pkg in "${PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "packages already installed: ${PACKAGES[*]}"
        return
    fi
    log "installing ${missing[*]} (apt-get; takes a minute or two) ..."
    # Keep the packages' maintainer scripts from starting services: this
    # script starts the daemons itself, with its own configuration.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        made_policy=1
    fi
    local rc=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" >/dev/null
    } || rc=$?
    [[ $made_policy -eq 0 ]] || rm -f "$policy"
    [[ $rc -eq 0 ]] || die "apt-get install ${missing[*]} failed (exit $rc)."
    log "installed ${missing[*]}"
}

# --- Daemon helpers -----------------------------------------------------------

pid_of() { # the recorded PID of daemon $1, if that process is alive
    local file="$STATE_DIR/$1.pid" pid
    [[ -s $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

is_running() { pid_of "$1" >/dev/null; }

# start NAME COMMAND...: run COMMAND (which must stay in the foreground) in a
# session of its own, output to $STATE_DIR/NAME.log, PID to $STATE_DIR/NAME.pid.
start() {
    local name=$1
    shift
    if is_running "$name"; then
        log "$name already running (PID $(pid_of "$name"))"
        return
    fi
    log "starting $name: $*"
    setsid "$@" </dev/null >>"$STATE_DIR/$name.log" 2>&1 &
    echo $! >"$STATE_DIR/$name.pid"
}

# wait_for NAME WHAT COMMAND...: retry COMMAND until it succeeds; give up when
# daemon NAME has died or after $TIMEOUT seconds, showing the daemon's log.
wait_for() {
    local name=$1 what=$2 waited=0
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ! is_running "$name"; then
            tail -n 30 "$STATE_DIR/$name.log" >&2 || true
            die "$name exited before $what (its log, above: $STATE_DIR/$name.log)."
        fi
        if ((waited >= TIMEOUT)); then
            tail -n 30 "$STATE_DIR/$name.log" >&2 || true
            die "timed out after ${TIMEOUT}s waiting for $what (log above: $STATE_DIR/$name.log)."
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "$what (after ${waited}s)"
}

# --- 2. Configuration ----------------------------------------------------------

write_file() { # write_file PATH MODE OWNER < content; only when it changed
    local path=$1 mode=$2 owner=$3 tmp
    tmp=$(mktemp)
    cat >"$tmp"
    if [[ -f $path ]] && cmp -s "$tmp" "$path"; then
        rm -f "$tmp"
    else
        install -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$tmp" "$path"
        rm -f "$tmp"
        log "wrote $path"
    fi
    chmod "$mode" "$path"
    chown "$owner" "$path"
}

check_ours() { # refuse to overwrite a Slurm configuration someone else wrote
    if [[ -f $1 ]] && ! grep -qF "$MARKER" "$1"; then
        die "$1 exists and was not written by this script: not touching a real cluster's configuration."
    fi
}

write_munge_key() {
    local key=/etc/munge/munge.key
    install -d -m 700 -o munge -g munge /etc/munge
    install -d -m 711 -o munge -g munge /var/lib/munge
    install -d -m 700 -o munge -g munge /var/log/munge
    install -d -m 755 -o munge -g munge /run/munge
    if [[ ! -s $key ]]; then
        log "creating the munge key $key"
        dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    fi
    chown munge:munge "$key"
    chmod 400 "$key"
}

db_password() { # a random password, kept (root-only) across runs
    local file=/etc/slurm/.ascflow-db-password
    if [[ ! -s $file ]]; then
        (
            umask 077
            tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 >"$file"
        )
    fi
    cat "$file"
}

# node_size HW: slurmd -C's hardware line, raised to NODE_MIN_CPUS CPUs (one
# socket of that many cores) and NODE_MIN_MEM_MB where the machine has less.
node_size() {
    local hw=$1 cpus mem
    cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
    ((mem >= NODE_MIN_MEM_MB)) || mem=$NODE_MIN_MEM_MB
    if ((cpus < NODE_MIN_CPUS)); then
        printf ' CPUs=%d Boards=1 SocketsPerBoard=1 CoresPerSocket=%d ThreadsPerCore=1 RealMemory=%d' \
            "$NODE_MIN_CPUS" "$NODE_MIN_CPUS" "$mem"
    else
        sed "s/RealMemory=[0-9]*/RealMemory=$mem/" <<<"$hw"
    fi
}

write_slurm_configs() {
    local host hw password
    host=$(hostname -s)
    # slurmd reports this machine's real CPUs, topology and memory; a node
    # configured with more than it has would be drained.
    hw=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]*//')
    [[ $hw == *CPUs=* && $hw == *RealMemory=* ]] || die "could not read the hardware from 'slurmd -C' (got: $hw)."
    hw=$(node_size "$hw")
    password=$(db_password)
    install -d -m 755 /etc/slurm
    install -d -m 755 -o slurm -g slurm /var/lib/slurm /var/lib/slurm/slurmctld /var/log/slurm
    install -d -m 755 /var/lib/slurm/slurmd

    write_file "$SLURM_CONF_FILE" 644 root:root <<EOF
$MARKER
# A one-node test cluster on $host; see the comments at the top of the script.
ClusterName=$CLUSTER
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$STATE_DIR/slurmctld.pid
SlurmdPidFile=$STATE_DIR/slurmd.pid
ReturnToService=2
# No cgroups here: track processes by their parent PIDs, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Schedule cores and memory, so that jobs share the node.
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$DEF_MEM_PER_CPU
# Finished jobs stay visible to squeue for 5 minutes.
MinJobAge=300
# Accounting through slurmdbd, so that sacct answers; keep the job comment
# (the plugin writes rule_<name>_wildcards_<...> there).
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
JobCompType=jobcomp/none
# The node's size as written here, not as detected (see NODE_MIN_CPUS).
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1$hw State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
# A partition of small nodes: at most 2 CPUs for a job.
PartitionName=small Nodes=ALL MaxCPUsPerNode=2 MaxTime=INFINITE State=UP
# A partition that never starts a job (it needs 2 nodes; there is one).
PartitionName=held Nodes=ALL MinNodes=2 MaxTime=INFINITE State=UP
EOF

    write_file "$SLURMDBD_CONF_FILE" 600 slurm:slurm <<EOF
$MARKER
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
PidFile=$STATE_DIR/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=$DB_USER
StoragePass=$password
StorageLoc=$DB_NAME
EOF
}

# --- 3./4. Daemons, database and accounting -----------------------------------

mariadb_up() { mariadb-admin --protocol=socket ping; }

start_mariadb() {
    install -d -m 755 -o mysql -g mysql /run/mysqld
    if ! is_running mariadbd && mariadb_up >/dev/null 2>&1; then
        log "a MariaDB server not started by this script is answering; using it"
        return
    fi
    if [[ ! -d /var/lib/mysql/mysql ]]; then
        log "initialising MariaDB's data directory"
        mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    start mariadbd /usr/sbin/mariadbd --user=mysql --skip-networking
    wait_for mariadbd "MariaDB answers" mariadb_up
}

create_database() {
    local password
    password=$(db_password)
    mariadb --protocol=socket <<EOF
CREATE DATABASE IF NOT EXISTS $DB_NAME;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$password';
GRANT ALL ON $DB_NAME.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
EOF
    log "database $DB_NAME and its user $DB_USER are ready"
}

munge_works() { munge -n | unmunge; }

slurmdbd_up() { sacctmgr -n list cluster format=cluster; }

slurmctld_up() { scontrol ping | grep -q 'is UP'; }

register_accounting() {
    if [[ -z $(sacctmgr -n -P list cluster "$CLUSTER" format=cluster) ]]; then
        sacctmgr -i add cluster "$CLUSTER" >/dev/null
        log "registered cluster $CLUSTER with slurmdbd"
    fi
    if [[ -z $(sacctmgr -n -P list account "$ACCOUNT" format=account) ]]; then
        sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" \
            Description="ascflow test jobs" Organization=ascflow >/dev/null
        log "added account $ACCOUNT"
    fi
    if [[ -z $(sacctmgr -n -P list assoc cluster="$CLUSTER" account="$ACCOUNT" user=root format=user) ]]; then
        sacctmgr -i add user root Account="$ACCOUNT" DefaultAccount="$ACCOUNT" Cluster="$CLUSTER" >/dev/null
        log "added user root to account $ACCOUNT"
    fi
}

node_state() { sinfo -h -N -p "$PARTITION" -o '%T' 2>/dev/null | head -n 1; }

wait_node_idle() {
    local waited=0 state
    while true; do
        state=$(node_state)
        case $state in
        idle | mixed | allocated)
            log "node $(hostname -s) is $state in partition $PARTITION (after ${waited}s)"
            return
            ;;
        drain* | down* | fail*)
            scontrol show node >&2 || true
            die "node is $state; see the Reason above and $STATE_DIR/slurmd.log, $STATE_DIR/slurmctld.log."
            ;;
        esac
        for d in slurmctld slurmd; do
            if ! is_running "$d"; then
                tail -n 30 "$STATE_DIR/$d.log" >&2 || true
                die "$d exited (its log, above: $STATE_DIR/$d.log)."
            fi
        done
        if ((waited >= TIMEOUT)); then
            sinfo >&2 || true
            die "timed out after ${TIMEOUT}s waiting for the node to become idle (state: '${state:-none}'); logs in $STATE_DIR."
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

# --- Main -----------------------------------------------------------------------

started=$SECONDS
install_packages
install -d -m 755 -o slurm -g slurm "$STATE_DIR"

all_up=1
for d in mariadbd munged slurmdbd slurmctld slurmd; do
    is_running "$d" || all_up=0
done

if [[ $all_up -eq 1 ]]; then
    log "all daemons already running (PIDs in $STATE_DIR); verifying"
    wait_for slurmctld "slurmctld answers" slurmctld_up
else
    check_ours "$SLURM_CONF_FILE"
    check_ours "$SLURMDBD_CONF_FILE"
    write_munge_key
    write_slurm_configs

    start_mariadb
    create_database

    start munged setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground
    wait_for munged "munge credentials work" munge_works

    start slurmdbd /usr/sbin/slurmdbd -D
    wait_for slurmdbd "slurmdbd answers" slurmdbd_up
    register_accounting

    start slurmctld /usr/sbin/slurmctld -D
    wait_for slurmctld "slurmctld answers" slurmctld_up

    start slurmd /usr/sbin/slurmd -D
fi
wait_node_idle
sinfo
log "cluster $CLUSTER is up in $((SECONDS - started))s; stop it with ci/slurm/stop-cluster.sh"
