import { InvalidOptionError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { MysqlConnectionSpec, MysqlServer } from './types.js';

const PROTOCOLS = ['mysql:', 'mariadb:'];
const DEFAULT_PORT = 3306;

/** Checks that `--db` is a mysql:// (or mariadb://) URL, before anything starts. */
export function checkMysqlUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError('--db must be a URL such as mysql://user:password@host:3306/database');
  }
  if (!PROTOCOLS.includes(parsed.protocol)) {
    throw new InvalidOptionError(`--db must start with mysql:// or mariadb:// on --engine mysql (got ${parsed.protocol}//…)`);
  }
  return parsed;
}

/** A server the user already runs: the rig starts and stops nothing. The URL is parsed here, once. */
export function useExternalMysql(url: string): MysqlServer {
  const parsed = checkMysqlUrl(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const socketPath = parsed.searchParams.get('socket');
  const connection: MysqlConnectionSpec = {
    ...(socketPath ? { socketPath } : { host: parsed.hostname || 'localhost', port: parsed.port ? Number(parsed.port) : DEFAULT_PORT }),
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(database ? { database } : {}),
  };
  return { kind: 'external', connection, displayUrl: redactUrl(url), stop: async () => {}, trouble: () => null };
}
