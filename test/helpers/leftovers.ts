import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EmbeddedTraces {
  /** race-rig temp directories under the OS temp dir. */
  readonly dirs: string[];
  /** Command lines of running postgres servers whose data directory is one of those. */
  readonly servers: string[];
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
  return { dirs, servers };
}
