import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EmbeddedTraces {
  /** race-rig temp directories under the OS temp dir. */
  readonly dirs: string[];
  /** Command lines of running postgres servers whose data directory is one of those. */
  readonly servers: string[];
  /** Processes (postmasters and backends) whose working directory is one of those. */
  readonly processes: string[];
}

function processesWorkingIn(prefix: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd.startsWith(prefix)) found.push(`${entry} ${cwd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found.sort();
}

/** What embedded runs leave on the machine; compare a snapshot before and after a run. */
export function embeddedTraces(): EmbeddedTraces {
  const prefix = join(tmpdir(), 'race-rig-');
  const dirs = readdirSync(tmpdir())
    .filter((name) => name.startsWith('race-rig-'))
    .map((name) => join(tmpdir(), name))
    .sort();
  const servers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('postgres') && line.includes(`-D ${prefix}`))
    .sort();
  return { dirs, servers, processes: processesWorkingIn(prefix) };
}

/**
 * What appeared since `before` and is still there: directories, servers and processes of
 * embedded runs that started after the snapshot (the suite's shared server is not one of them).
 */
export function leftoversSince(before: EmbeddedTraces): EmbeddedTraces {
  const now = embeddedTraces();
  const isNew = (text: string) => !before.dirs.some((dir) => text.includes(`${dir}/`) || text.endsWith(dir));
  return {
    dirs: now.dirs.filter((dir) => !before.dirs.includes(dir)),
    servers: now.servers.filter(isNew),
    processes: now.processes.filter(isNew),
  };
}

export const NOTHING_LEFT: EmbeddedTraces = { dirs: [], servers: [], processes: [] };
