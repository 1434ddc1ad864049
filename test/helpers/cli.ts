import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RIG = fileURLToPath(new URL('../../dist/rig.js', import.meta.url));

export interface CliRun {
  /** The CLI's pid, which names its run directory (race-rig-<pid>-…). */
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a CLI run: no DATABASE_URL or MYSQL_URL unless the test sets one, no colours. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, MYSQL_URL: _ignoredToo, FORCE_COLOR: _noColor, ...rest } = process.env;
  return { ...rest, NO_COLOR: '1', ...extra };
}

/**
 * Starts `node dist/rig.js …`; `finished` resolves with everything it printed. `ownGroup` puts
 * it in a process group of its own, as a shell does, so that a test can signal the whole group
 * the way Ctrl-C in a terminal does.
 */
export function startCli(args: readonly string[], env = cliEnv(), { ownGroup = false } = {}): { child: ChildProcess; finished: Promise<CliRun> } {
  const child = spawn(process.execPath, [RIG, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ pid: child.pid ?? -1, code, signal, stdout, stderr }));
  });
  return { child, finished };
}

export function runCli(args: readonly string[], env = cliEnv()): Promise<CliRun> {
  return startCli(args, env).finished;
}
