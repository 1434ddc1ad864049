import { InvalidOptionError } from '../errors.js';
import { redactUrl } from '../db/redact.js';
import type { Database } from './types.js';

/** A server the user already runs, given as a `postgres://` URL: the rig starts and stops nothing. */
export function useExternal(url: string): Database {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new InvalidOptionError('--db must be a URL such as postgres://user:password@host:5432/database');
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new InvalidOptionError(`--db must start with postgres:// or postgresql:// (got ${protocol}//…)`);
  }
  return {
    engine: 'external',
    connection: { connectionString: url },
    displayUrl: redactUrl(url),
    stop: async () => {},
    trouble: () => null,
  };
}
