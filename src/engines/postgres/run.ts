import type pg from 'pg';
import { DatabaseError, errorMessage, RigError } from '../../errors.js';
import type { VerifyContext } from '../../scenarios/types.js';
import { runStep } from '../step.js';
import type { PlannedRun, PreparedRun } from '../types.js';
import { connectForCleanup, terminateWorkerBackends } from './connect.js';
import { libraryConnection } from './worker-connection.js';
import { openGateWhenFull } from '../gate-opening.js';
import { closeGate, newGateKey, postgresGate, removeGate } from './gate.js';
import { dropTablesSql, lockWaits } from './explore-queries.js';
import { recordingClient } from './literal-sql.js';
import { RunSnapshot } from './reset.js';
import type { GateKey } from './gate.js';
import type { PostgresSettings } from './options.js';
import { dropRunSchema, prepareRunSchema } from './schema.js';
import type { RunSchema } from './schema.js';
import type { Scenario } from './scenarios/types.js';
import { sqlstateOf } from './sqlstate.js';
import type { PostgresServer, PostgresTarget } from './types.js';

export interface SessionParts {
  readonly server: PostgresServer;
  readonly admin: pg.Client;
  readonly settings: PostgresSettings;
}

async function createSchema({ admin, settings }: SessionParts, signal: AbortSignal): Promise<RunSchema> {
  try {
    return await runStep('creating the run schema', () => prepareRunSchema(admin, { name: settings.schema, reuse: settings.reuseSchema }), signal);
  } catch (error) {
    if (!(error instanceof RigError) || sqlstateOf(error.cause) !== '42501') throw error;
    throw new DatabaseError(
      `user ${admin.user ?? 'this user'} may not create a schema here (${errorMessage(error.cause)}); GRANT CREATE ON DATABASE to it, ` +
        'or run in a schema it may use with --schema NAME --reuse-schema',
    );
  }
}

/**
 * Closes the server gate for the run, or, when the server does not allow it (no right to create
 * its table or take its lock, say), says so and leaves the start to the barrier alone.
 */
export async function closeGateOrFallBack(admin: pg.ClientBase, settings: PostgresSettings, signal: AbortSignal): Promise<{ gate: GateKey | null; warnings: string[] }> {
  if (!settings.gate) return { gate: null, warnings: [] };
  const gate = newGateKey();
  try {
    await runStep('closing the server gate', () => closeGate(admin, gate), signal);
    return { gate, warnings: [] };
  } catch (error) {
    if (signal.aborted) throw error;
    await removeGate(admin).catch(() => undefined);
    const reason = error instanceof Error && error.cause !== undefined ? error.cause : error;
    return { gate: null, warnings: [`the server gate could not be closed (${errorMessage(reason)}); the workers started at the barrier alone`] };
  }
}

/** Drops what the run created, from a fresh connection, after ending any backend of its workers still there. */
export async function dropRun(server: PostgresServer, schema: RunSchema): Promise<string[]> {
  try {
    const db = await connectForCleanup(server);
    try {
      await terminateWorkerBackends(db, schema.name);
      await dropRunSchema(db, schema);
    } finally {
      await db.end().catch(() => undefined);
    }
    return [];
  } catch (error) {
    // An embedded server is deleted whole, schema and all, when the session closes.
    if (server.kind === 'embedded') return [];
    return [`schema ${schema.name} could not be ${schema.ownedByRun ? 'dropped' : "cleared of the run's tables"} (${errorMessage(error)}); drop it by hand`];
  }
}

export async function verifyRun(scenario: Scenario, admin: pg.ClientBase, run: PlannedRun, context: VerifyContext, gate: GateKey | null) {
  if (gate) await runStep('removing the server gate', () => removeGate(admin), run.signal);
  const verification = await runStep('verifying the result', async () => scenario.verify(admin, context), run.signal);
  if (scenario.teardown) await runStep(`tearing down ${scenario.name}`, async () => scenario.teardown?.(admin, run.context), run.signal);
  return verification;
}

/** A fresh schema for a run (the coordinator's search_path set to it), and how to drop it. */
export interface FreshSchema {
  readonly schema: RunSchema;
  drop(): Promise<string[]>;
}

export async function freshSchema(parts: SessionParts, signal: AbortSignal): Promise<FreshSchema> {
  const schema = await createSchema(parts, signal);
  return { schema, drop: () => dropRun(parts.server, schema) };
}

/** What every prepared PostgreSQL run says about itself: its target, how it starts, where its data is. */
export function preparedBasics(target: PostgresTarget, warnings: string[], kept: boolean): Pick<PreparedRun, 'target' | 'start' | 'connection' | 'warnings' | 'schema' | 'kept'> {
  return { target, start: target.gate ? 'gate' : 'barrier', connection: { ...libraryConnection(target) }, warnings, schema: target.schema, kept };
}

/** One run's fresh schema, the scenario's tables in it, and the gate closed: ready for the workers. */
export async function preparePostgresRun(parts: SessionParts, run: PlannedRun): Promise<PreparedRun> {
  const { server, admin, settings } = parts;
  const scenario = run.scenario as unknown as Scenario;
  const fresh = await freshSchema(parts, run.signal);
  const { schema } = fresh;
  const drop = () => (run.keep ? Promise.resolve([]) : fresh.drop());
  const script = run.explore ? { setup: [] as string[], verify: [] as string[], teardown: [] as string[] } : undefined;
  try {
    await runStep(`setting up ${scenario.name}`, async () => scenario.setup(script ? recordingClient(admin, script.setup) : admin, run.context), run.signal);
    const { gate, warnings } = await closeGateOrFallBack(admin, settings, run.signal);
    if (script) script.teardown.push(...(await runStep('listing the set-up\'s tables', () => dropTablesSql(admin, schema), run.signal)));
    const snapshot = run.explore && !scenario.teardown ? await runStep('keeping the set-up for explore', () => RunSnapshot.take(admin, schema.name), run.signal) : null;
    const target: PostgresTarget = {
      engine: 'postgres',
      connection: server.connection,
      schema: schema.name,
      lockTimeoutMs: settings.lockTimeoutMs,
      statementTimeoutMs: settings.statementTimeoutMs,
      gate,
      timeline: settings.timeline,
    };
    return {
      ...preparedBasics(target, warnings, run.keep),
      ...(gate ? { afterRelease: () => openGateWhenFull(postgresGate(admin, gate), gate.hold, run.context.workers, run.barrierTimeoutMs) } : {}),
      verify: (context) => {
        // Explore verifies the same data again after each reset: the script keeps the last verification.
        script?.verify.splice(0);
        return verifyRun(scenario, script ? recordingClient(admin, script.verify) : admin, run, context, gate);
      },
      lockWaits: (pids, among) => lockWaits(admin, pids, among),
      ...(script ? { script } : {}),
      ...(snapshot ? { reset: () => runStep('resetting the data', () => snapshot.reset(), run.signal) } : {}),
      drop,
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
