#!/usr/bin/env bash
# Stop the test cluster that ci/slurm/start-cluster.sh started: each daemon by
# the PID it recorded, in the reverse order of starting, waiting for each to
# exit (SIGTERM, then SIGKILL after a grace period). Daemons it did not start
# are left alone. Running it when nothing runs is fine.
#
# Environment (optional): ASCFLOW_SLURM_STATE_DIR, as for start-cluster.sh.
set -euo pipefail

STATE_DIR=${ASCFLOW_SLURM_STATE_DIR:-/run/ascflow-slurm}
GRACE=${ASCFLOW_SLURM_STOP_GRACE:-30}

log() { printf '[stop-cluster] %s\n' "$*"; }

alive() { kill -0 "$1" 2>/dev/null; }

stop() {
    local name=$1 file="$STATE_DIR/$1.pid" pid tenths=0
    if [[ ! -s $file ]]; then
        log "$name: no PID file, nothing to stop"
        return
    fi
    pid=$(<"$file")
    # Only signal the process if it is still the daemon that was recorded
    # (a stale PID file may name a PID that has been reused since).
    if ! [[ $pid =~ ^[0-9]+$ ]] || ! alive "$pid" ||
        [[ $(cat "/proc/$pid/comm" 2>/dev/null) != "$name" ]]; then
        log "$name: not running (stale PID file removed)"
        rm -f "$file"
        return
    fi
    log "$name: stopping PID $pid"
    kill -TERM "$pid" 2>/dev/null || true
    while alive "$pid"; do
        if ((tenths == GRACE * 10)); then
            log "$name: still running after ${GRACE}s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        if ((tenths >= (GRACE + 10) * 10)); then
            log "$name: PID $pid did not exit" >&2
            exit 1
        fi
        sleep 0.1
        tenths=$((tenths + 1))
    done
    rm -f "$file"
    log "$name: stopped (after $((tenths / 10)).$((tenths % 10))s)"
}

if [[ ! -d $STATE_DIR ]]; then
    log "no state directory $STATE_DIR: nothing to stop"
    exit 0
fi
for name in slurmd slurmctld slurmdbd munged mariadbd; do
    stop "$name"
done
log "done (daemon logs stay in $STATE_DIR)"
