import { runStep } from '../step.js';
import type { PlannedRun, PreparedRun } from '../types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { holdBudgetMs, letGo, newHold, openGateWhenFull } from '../gate-opening.js';
import { msUntilOpening, postgresGate } from './gate.js';
import type { GateKey } from './gate.js';
import { closeGateOrFallBack, dropRun, preparedBasics, verifyRun } from './run.js';
import type { SessionParts } from './run.js';
import { prepareRunSchema } from './schema.js';
import type { Scenario } from './scenarios/types.js';
import { announceRun, awaitVerdictRead, explainGateTimeout, gatherShards, joinRun, publishVerdict, readVerdict, shardSchema } from './shard.js';
import type { PostgresTarget } from './types.js';
import type { ShardSpec } from '../../options/shard.js';

const FOLLOW_POLL_MS = 2;

function targetOf({ server, settings }: SessionParts, schema: string, gate: GateKey | null): PostgresTarget {
  return { engine: 'postgres', connection: server.connection, schema, lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs, gate, timeline: settings.timeline };
}

/**
 * Shard 0 of a run on several machines: the run's schema (race_rig_run_<name>), the scenario's
 * set-up, the gate closed and the run announced; the gate opens when every shard's workers wait
 * at it; after the race it gathers every shard's results, judges, and publishes the verdict.
 */
async function prepareLeader(parts: SessionParts, run: PlannedRun, spec: ShardSpec): Promise<PreparedRun> {
  const { admin } = parts;
  const scenario = run.scenario as unknown as Scenario;
  const schema = await runStep('creating the run schema', () => prepareRunSchema(admin, { name: shardSchema(spec.run), reuse: false }), run.signal);
  const drop = async () => {
    await awaitVerdictRead(admin, spec, run.signal).catch(() => undefined);
    return run.keep ? [] : dropRun(parts.server, schema);
  };
  try {
    await runStep(`setting up ${scenario.name}`, async () => scenario.setup(admin, run.context), run.signal);
    const { gate, warnings } = await closeGateOrFallBack(admin, parts.settings, run.signal);
    const workersPerShard = run.context.workers / spec.count;
    await runStep('announcing the run to the other shards', () => announceRun(admin, spec, { gateNamespace: gate?.namespace ?? null, gateKey: gate?.key ?? null, workersPerShard }), run.signal);
    const target = targetOf(parts, schema.name, gate);
    const openGate = (hold: GateKey) =>
      openGateWhenFull(postgresGate(admin, hold), hold.hold, run.context.workers, run.barrierTimeoutMs).catch((error: unknown) => explainGateTimeout(error, admin, spec, run.barrierTimeoutMs));
    return {
      ...preparedBasics(target, warnings, run.keep),
      ...(gate ? { afterRelease: () => openGate(gate) } : {}),
      gather: (own) => gatherShards(admin, spec, schema.name, own, run.context.iterations, run.signal),
      verify: async (context) => {
        const verification = await verifyRun(scenario, admin, run, context, gate);
        await runStep('publishing the verdict to the other shards', () => publishVerdict(admin, verification), run.signal);
        return verification;
      },
      drop,
    };
  } catch (error) {
    await dropRun(parts.server, schema);
    throw error;
  }
}

/**
 * A shard that does not open the gate still holds its threads still around the opening (see
 * holdStill): it watches for shard 0 to open the gate, and lets them go a moment after its instant.
 */
async function followGate(admin: pg.ClientBase, gate: GateKey, run: PlannedRun): Promise<void> {
  try {
    const deadline = Date.now() + run.barrierTimeoutMs;
    let untilOpening = await msUntilOpening(admin, gate);
    while (untilOpening === null && Date.now() < deadline && !run.signal.aborted) {
      await sleep(FOLLOW_POLL_MS);
      untilOpening = await msUntilOpening(admin, gate);
    }
    await sleep((untilOpening ?? 0) + holdBudgetMs(run.context.workers));
  } finally {
    letGo(gate.hold);
  }
}

/** Any other shard: waits for shard 0's run, races its workers at the same gate, hands its results over and reads the verdict. */
async function prepareFollower(parts: SessionParts, run: PlannedRun, spec: ShardSpec): Promise<PreparedRun> {
  const { admin } = parts;
  const schema = shardSchema(spec.run);
  const record = await joinRun(admin, spec, run.barrierTimeoutMs, run.signal);
  const gate = record.gateKey !== null && record.gateNamespace !== null ? { namespace: record.gateNamespace, key: record.gateKey, hold: newHold() } : null;
  const target = targetOf(parts, schema, gate);
  return {
    ...preparedBasics(target, [], run.keep),
    ...(gate ? { afterRelease: () => followGate(admin, gate, run) } : {}),
    gather: (own) => gatherShards(admin, spec, schema, own, run.context.iterations, run.signal),
    verify: () => readVerdict(admin, spec, schema, run.barrierTimeoutMs + 60_000, run.signal),
    drop: async () => [],
  };
}

/** One shard's part of a run on several machines. */
export function prepareShard(parts: SessionParts, run: PlannedRun, spec: ShardSpec): Promise<PreparedRun> {
  return spec.index === 0 ? prepareLeader(parts, run, spec) : prepareFollower(parts, run, spec);
}
