import { spawn } from 'node:child_process';

/**
 * A dead man's switch for the embedded server. Exit hooks cannot run when the rig is killed
 * outright (SIGKILL, the OOM killer), and PostgreSQL does not notice that its parent is gone. So
 * a tiny shell, detached from the rig, polls the rig's pid once a second; when the rig is gone it
 * shuts the server down (SIGQUIT: immediate shutdown) and deletes the run directory. `disarm()`
 * ends the watchdog when the rig stops the server itself. Unix only; elsewhere a no-op.
 */
const SCRIPT = 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; kill -QUIT "$1" 2>/dev/null; sleep 2; kill -KILL "$1" 2>/dev/null; rm -rf "$2"';

export interface Watchdog {
  disarm(): void;
}

export function watchServer({ serverPid, runDir }: { serverPid: number; runDir: string }): Watchdog {
  if (process.platform === 'win32') return { disarm: () => {} };
  const child = spawn('sh', ['-c', SCRIPT, String(process.pid), String(serverPid), runDir], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  return {
    disarm: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
