import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorMessage, InvalidOptionError, RigError } from '../errors.js';
import type { Catalog, ServeConfig } from './catalog.js';
import type { EventHub } from './events.js';
import { raceOptionsOfRequest } from './race-request.js';
import { BusyError } from './race-jobs.js';
import type { RaceJobs, RaceKind } from './race-jobs.js';
import type { StepSessions } from './step-sessions.js';

export interface ApiParts {
  readonly config: ServeConfig;
  readonly catalog: Catalog;
  readonly hub: EventHub;
  readonly races: RaceJobs;
  readonly steps: StepSessions;
  readonly scrub: (text: string) => string;
}

/** The page's mistakes are 400 with the rig's one-line message; something running is 409; the rest 500. */
function sendError(reply: FastifyReply, error: unknown, scrub: (text: string) => string): FastifyReply {
  const status = error instanceof BusyError ? 409 : error instanceof InvalidOptionError ? 400 : 500;
  const prefix = error instanceof RigError ? '' : 'internal error: ';
  return reply.code(status).send({ error: scrub(`${prefix}${errorMessage(error)}`) });
}

function bodyOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/**
 * The page's API: what it may choose (the catalog), the live events, Run, Compare and Cancel,
 * and the step-through. Nothing here takes a URL, a file path or SQL from the page.
 */
export function registerApi(app: FastifyInstance, { config, catalog, hub, races, steps, scrub }: ApiParts): void {
  const handle = (work: (body: Record<string, unknown>) => Promise<unknown>) => async (request: { body: unknown }, reply: FastifyReply) => {
    try {
      return await work(bodyOf(request.body));
    } catch (error) {
      return sendError(reply, error, scrub);
    }
  };
  // Starting a step-through while a race runs is refused; starting a race ends the step-through.
  const race = (kind: RaceKind) =>
    handle(async (body) => {
      const options = raceOptionsOfRequest(body, config);
      races.refuseIfBusy();
      await steps.close();
      return races.start(kind, options);
    });

  app.get('/api/catalog', async () => catalog);
  app.get('/api/events', (_request, reply) => {
    reply.hijack();
    hub.attach(reply.raw);
  });
  app.get('/api/state', async () => ({ race: races.current(), step: await steps.state() }));
  app.get<{ Params: { id: string } }>('/api/results/:id', async (request, reply) => {
    const result = races.result(Number(request.params.id));
    return result === undefined ? reply.code(404).send({ error: `no finished run ${request.params.id}` }) : result;
  });
  app.post('/api/run', race('run'));
  app.post('/api/compare', race('compare'));
  app.post('/api/cancel', handle(async () => ({ cancelled: await races.cancel() })));
  app.post('/api/step/open', handle(async (body) => (races.refuseIfBusy(), steps.openSpec(body.spec, body.level))));
  app.post('/api/step/failing', handle(async (body) => (races.refuseIfBusy(), steps.openFailing(body.scenario, body.mode))));
  app.post('/api/step/session', handle(async (body) => steps.step(body.session)));
  app.post('/api/step/play', handle(async () => steps.play()));
  app.post('/api/step/close', handle(async () => (await steps.close(), { closed: true })));
}
