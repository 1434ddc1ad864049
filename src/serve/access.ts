import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Hosts that only this machine can reach: no token needed, but the Host header must name them. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

export function newToken(): string {
  return randomBytes(18).toString('base64url');
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface AccessRequest {
  readonly method: string;
  readonly hostHeader: string | undefined;
  readonly authorization: string | undefined;
  readonly queryToken: string | undefined;
  readonly contentType: string | undefined;
}

/**
 * Who may use the server. Bound to a loopback address, anyone on this machine may, provided the
 * Host header names a loopback host (another site's page reaching it through DNS rebinding names
 * its own). Bound to another address, every request must carry the token printed at start-up.
 * Every POST must be JSON, which a page on another origin cannot send without asking first (a
 * CORS preflight this server never answers). Returns the refusal, or null.
 */
export function refusal(request: AccessRequest, bound: { readonly host: string; readonly token: string }): { status: number; message: string } | null {
  if (isLoopback(bound.host)) {
    const host = (request.hostHeader ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (!isLoopback(host)) return { status: 403, message: `this server answers only to a loopback Host (got '${request.hostHeader ?? ''}')` };
  } else {
    const given = request.authorization?.replace(/^Bearer /, '') ?? request.queryToken ?? '';
    if (!sameText(given, bound.token)) return { status: 401, message: 'the token printed by race-rig serve is missing or wrong' };
  }
  if (request.method === 'POST' && !(request.contentType ?? '').startsWith('application/json')) {
    return { status: 415, message: 'send JSON (Content-Type: application/json)' };
  }
  return null;
}
