import type { HttpRequest } from '../../scenarios/types.js';

/** A request as it goes on the wire: its body as bytes, with the headers that announce it. */
export interface EncodedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

function bodyBytes(body: HttpRequest['body']): { bytes: Buffer; json: boolean } {
  if (body === undefined) return { bytes: Buffer.alloc(0), json: false };
  if (typeof body === 'string') return { bytes: Buffer.from(body), json: false };
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body), json: false };
  return { bytes: Buffer.from(JSON.stringify(body)), json: true };
}

/** Encodes a scenario's request; a body that is neither a string nor bytes goes as JSON. */
export function encodeRequest(request: HttpRequest): EncodedRequest {
  const { bytes, json } = bodyBytes(request.body);
  const given = Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const headers: Record<string, string> = {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...given,
    // The length is announced, never chunked: the server waits for exactly the bytes held back.
    ...(bytes.length > 0 || request.method.toUpperCase() !== 'GET' ? { 'content-length': String(bytes.length) } : {}),
  };
  return { method: request.method.toUpperCase(), path: request.path, headers, body: bytes };
}
