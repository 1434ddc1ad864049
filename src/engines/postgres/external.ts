import { parseIntoClientConfig } from 'pg-connection-string';
import { InvalidOptionError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { ConnectionSpec, PostgresServer } from './types.js';

/** Checks that `--db` is a postgres:// URL, before anything starts. */
export function checkDatabaseUrl(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new InvalidOptionError('--db must be a URL such as postgres://user:password@host:5432/database');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new InvalidOptionError(`--db must start with postgres:// or postgresql:// (got ${protocol}//…)`);
  }
}

/**
 * A server the user already runs, given as a `postgres://` URL: the rig starts and stops nothing.
 * The URL is parsed here, once, into plain client settings for the coordinator and every worker.
 */
export function useExternal(url: string): PostgresServer {
  checkDatabaseUrl(url);
  const { ssl, host, port, user, password, database } = parseIntoClientConfig(url);
  const connection: ConnectionSpec = {
    ...(host ? { host } : {}),
    ...(port ? { port: Number(port) } : {}),
    ...(user ? { user } : {}),
    ...(typeof password === 'string' && password ? { password } : {}),
    ...(database ? { database } : {}),
    ...(ssl === undefined ? {} : { ssl: typeof ssl === 'object' && ssl !== null ? { ...ssl } : Boolean(ssl) }),
  };
  return {
    kind: 'external',
    connection,
    displayUrl: redactUrl(url),
    stop: async () => {},
    trouble: () => null,
  };
}
