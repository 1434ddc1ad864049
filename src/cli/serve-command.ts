import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '../engines/postgres/embedded.js';
import { InvalidOptionError } from '../errors.js';
import { redactUrl } from '../redact.js';
import type { ServeConfig } from '../serve/catalog.js';
import { buildCatalog, listedSpecFiles } from '../serve/catalog.js';
import { startServe } from '../serve/server.js';
import type { SpecEngineName } from '../isolation/spec-engine.js';
import type { CliValues } from './parse.js';

export interface ServeIo {
  readonly print: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal | undefined;
  readonly scrub: (text: string) => string;
  readonly onLog: ((line: string) => void) | undefined;
}

const URL_VARIABLE: Record<SpecEngineName, string> = { postgres: 'DATABASE_URL', mysql: 'MYSQL_URL' };

function servedEngine(values: CliValues): SpecEngineName {
  const engine = values.engine ?? 'postgres';
  if (engine !== 'postgres' && engine !== 'mysql') throw new InvalidOptionError(`race-rig serve runs on a server: --engine postgres or mysql (the page offers SQLite beside it), not '${engine}'`);
  return engine;
}

/** What the page may run: the files given, each readable (specs end in .spec, the rest are scenario modules), and the shipped specs. */
async function offerOf(files: readonly string[], engine: SpecEngineName): Promise<Omit<ServeConfig, 'db'>> {
  const paths = files.map((file) => resolve(file));
  for (const path of paths) await access(path).catch(() => {
    throw new InvalidOptionError(`race-rig serve: cannot read ${path}`);
  });
  const specFiles = await listedSpecFiles(engine, paths.filter((path) => path.endsWith('.spec')));
  return { engine, modules: paths.filter((path) => !path.endsWith('.spec')), specFiles };
}

function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) done();
    signal?.addEventListener('abort', () => done(), { once: true });
  });
}

/**
 * `race-rig serve`: opens the database once (a throwaway PostgreSQL unless --db or the engine's
 * variable names one), serves the page until Ctrl-C or SIGTERM, then cancels what runs, closes
 * the step-through, stops listening and stops the throwaway server. Exit 0.
 */
export async function serveCommand(files: readonly string[], values: CliValues, io: ServeIo): Promise<number> {
  const engine = servedEngine(values);
  const given = values.db ?? (io.env[URL_VARIABLE[engine]] || undefined);
  if (engine === 'mysql' && given === undefined) throw new InvalidOptionError('race-rig serve --engine mysql needs --db mysql://… or $MYSQL_URL');
  const offer = await offerOf(files, engine);
  // Before the server starts: a module that loads on none of the page's engines is a bad command line.
  const catalog = await buildCatalog(offer);
  const embedded = given === undefined ? await startEmbeddedPostgres() : null;
  try {
    const db = given ?? (embedded as { url: string }).url;
    const server = await startServe({ ...offer, db }, catalog, { host: values.host ?? '127.0.0.1', port: values.port ?? 7878 }, { scrub: io.scrub, log: io.onLog });
    const where = embedded ? 'a throwaway PostgreSQL' : redactUrl(db);
    io.print(`race-rig serve: open ${server.url} (races on ${where}; Ctrl-C stops it and cleans up)`);
    await whenAborted(io.signal);
    await server.close();
    io.print('race-rig serve: stopped; cleaned up');
    return 0;
  } finally {
    await embedded?.stop();
  }
}
