/** The page's side of the API: the token (when the server printed one), requests and the live events. */
const token = new URLSearchParams(location.search).get('token');

/** A link to the API that a click follows (no header): the token rides in the query. */
export function withToken(path: string): string {
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
  return body;
}

/** Every POST is JSON (the server refuses anything else). */
export async function post<T>(path: string, body: unknown = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, answer.error ?? response.statusText);
  return answer;
}

export type EventHandlers = Record<string, (data: Record<string, unknown>) => void>;

/** The server's events, reconnecting by itself (EventSource does) and saying so. */
export function listen(handlers: EventHandlers, onConnection: (open: boolean) => void): EventSource {
  const source = new EventSource(`/api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  source.onopen = () => onConnection(true);
  source.onerror = () => onConnection(false);
  for (const [type, handle] of Object.entries(handlers)) {
    source.addEventListener(type, (event) => handle(JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>));
  }
  return source;
}
