import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { statFields } from './dir-processes.js';

/**
 * A dead man's switch for a run directory. Exit hooks cannot run when the rig is killed outright
 * (SIGKILL, the OOM killer, a closed terminal), and what the rig started does not notice: initdb
 * goes on filling its data directory, PostgreSQL does not notice that its parent is gone. So a
 * tiny shell, detached from the rig (a session of its own: no terminal signal reaches it), polls
 * the rig five times a second. When the rig is gone it stops everything working in the
 * directory and deletes it, then exits. It is started before the directory exists, so that no
 * instant of the run is uncovered; the rig ends it (`disarm`) once it has deleted the directory
 * itself.
 *
 * Arguments: the rig's pid and start time (a pid can be reused; the start time, field 22 of
 * /proc/<pid>/stat, tells the rig from a newcomer) and the directory. The processes working in
 * the directory are found with a single ls -l of every /proc/<pid>/cwd, not a readlink each.
 *
 * Once the rig is gone, the steps of stopProcessesIn: SIGQUIT to the roots among the processes
 * working in the directory (the postmaster: an immediate shutdown, which stops its backends and
 * removes its shared memory; initdb: it stops after its current step, and its bootstrap backend
 * ends cleanly, where SIGKILL would leave its shared memory segment behind), up to 5 s for all of
 * them to end; then, until nothing is left, SIGKILL to whatever still works there, and rm -rf.
 * POSIX sh (dash), no bash-isms; without /proc (macOS) it falls back to kill -0 and finds no
 * processes by directory.
 */
const SCRIPT = `
set -f
rig=$1 rig_started=$2 dir=$3
case $dir in /?*/?*) ;; *) exit 2 ;; esac

stat_fields() {
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  echo "\${stat##*) }"
}

running() {
  if [ ! -d /proc/self ]; then kill -0 "$1" 2>/dev/null; return; fi
  fields=$(stat_fields "$1") || return 1
  set -- "$2" $fields
  [ "$2" != Z ] && [ "$2" != X ] && { [ -z "$1" ] || [ "\${21}" = "$1" ]; }
}

members() {
  [ -d /proc/self ] || return 0
  set +f
  ls -l /proc/[0-9]*/cwd 2>/dev/null | while IFS= read -r line; do
    case \${line#* -> } in
      "$dir" | "$dir"/* | "$dir (deleted)") pid=\${line%/cwd -> *}; printf '%s ' "\${pid##*/proc/}" ;;
    esac
  done
  set -f
}

roots() {
  all=" $1 "
  for pid in $1; do
    fields=$(stat_fields "$pid") || continue
    set -- $fields
    case $all in *" $2 "*) ;; *) printf '%s ' "$pid" ;; esac
  done
}

while running "$rig" "$rig_started"; do sleep 0.2; done

quit=$(roots "$(members)")
[ -n "$quit" ] && kill -QUIT $quit 2>/dev/null
waited=0
while [ $waited -lt 50 ] && [ -n "$(members)" ]; do sleep 0.1; waited=$((waited + 1)); done

rounds=0
while [ $rounds -lt 50 ]; do
  left=$(members)
  [ -z "$left" ] && [ ! -e "$dir" ] && [ ! -L "$dir" ] && break
  [ -n "$left" ] && kill -KILL $left 2>/dev/null
  rm -rf "$dir"
  rounds=$((rounds + 1))
  sleep 0.1
done
`;

export interface Watchdog {
  /** Ends the watchdog: the rig has cleaned up itself. */
  disarm(): Promise<void>;
}

function groupAlive(leader: number): boolean {
  try {
    process.kill(-leader, 0);
    return true;
  } catch {
    return false;
  }
}

/** The start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or '' without /proc. */
function startTimeOf(pid: number): string {
  return statFields(pid)?.[19] ?? '';
}

/**
 * Starts the watchdog of `dir` (see SCRIPT) for the rig, this process unless `rig` says
 * otherwise. When spawn returns, sh already runs (spawn waits for the exec), so the rig may die
 * at any instant after this call and `dir` still goes.
 */
export function armWatchdog({ dir, rig = process.pid }: { dir: string; rig?: number }): Watchdog {
  if (process.platform === 'win32') return { disarm: async () => {} };
  const args = [String(rig), startTimeOf(rig), dir];
  // cwd '/': the watchdog must not work in the directory it deletes (nor match itself).
  const child = spawn('sh', ['-c', SCRIPT, 'race-rig-watchdog', ...args], { cwd: '/', detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    disarm: async () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        // The whole group: the watchdog and the sleep it may be in.
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        return; // exited meanwhile
      }
      // Reaped, gone from the process table, before the rig says it is done; ref'd meanwhile, or
      // a process with nothing else to do would exit in the middle of its clean-up.
      child.ref();
      await exited;
      // Its subshells (a pipeline's loop, a $(…)) got the same SIGKILL but die on their own time:
      // the watchdog is gone when its process group is.
      for (let tries = 0; tries < 100 && groupAlive(child.pid); tries++) await sleep(10);
    },
  };
}
