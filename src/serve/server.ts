import Fastify from 'fastify';
import { InvalidOptionError } from '../errors.js';
import { loadAssets } from './assets.js';
import { isLoopback, newToken, refusal } from './access.js';
import { registerApi } from './api-routes.js';
import type { Catalog, ServeConfig } from './catalog.js';
import { EventHub } from './events.js';
import { RaceJobs } from './race-jobs.js';
import { StepSessions } from './step-sessions.js';

export interface ServeListen {
  /** 127.0.0.1 unless told otherwise; any other address requires the token. */
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
}

export interface RunningServe {
  /** The address to open, with `?token=…` when the server requires it. */
  readonly url: string;
  readonly port: number;
  /** Cancels the race, closes the step-through and the page's streams, and stops listening. */
  close(): Promise<void>;
}

function urlOf(host: string, port: number, token: string | null): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/${token ? `?token=${token}` : ''}`;
}

/** `race-rig serve`'s web server: the page, its API and its live events, on the database serve opened. */
export interface ServeOutput {
  /** Takes the database password out of any text the page is sent. */
  readonly scrub: (text: string) => string;
  /** What the rig is doing, a line at a time (--verbose). */
  readonly log?: ((line: string) => void) | undefined;
}

export async function startServe(config: ServeConfig, catalog: Catalog, listen: ServeListen, { scrub, log }: ServeOutput): Promise<RunningServe> {
  const assets = await loadAssets();
  const token = newToken();
  const hub = new EventHub();
  const races = new RaceJobs(hub, scrub, log);
  const steps = new StepSessions(config, hub, log);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.addHook('onRequest', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const refused = refusal(
      { method: request.method, hostHeader: request.headers.host, authorization: request.headers.authorization, queryToken: query.token, contentType: request.headers['content-type'] },
      { host: listen.host, token },
    );
    if (refused) return reply.code(refused.status).send({ error: refused.message });
    reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'self'; img-src 'self' data:");
  });
  // Fastify's own refusals (a body that is not JSON, say) in the API's shape: { error }.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => reply.code(error.statusCode ?? 500).send({ error: scrub(error.message) }));
  for (const [path, asset] of assets) app.get(path, (_request, reply) => reply.type(asset.type).send(asset.body));
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
  registerApi(app, { config, catalog, hub, races, steps, scrub });
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    hub.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new InvalidOptionError(`port ${listen.port} on ${listen.host} is in use; give --port N (0: any free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new InvalidOptionError(`cannot listen on --host ${listen.host}: no such address here`);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return {
    url: urlOf(listen.host, port, isLoopback(listen.host) ? null : token),
    port,
    close: async () => {
      await races.cancel('race-rig serve stopping');
      await steps.close();
      hub.close();
      await app.close();
    },
  };
}
