import type { AnyScenario, BaseWorkerContext, ScenarioDefinition, WorkerSession } from './types.js';

/** The part of a worker's task (protocol.ts) every worker context starts from. */
interface TaskFields {
  readonly index: number;
  readonly workers: number;
  readonly operations: number;
  readonly params: Readonly<Record<string, string>>;
  readonly appUrl: string | null;
}

/** What every engine puts in a worker's context before its own fields. */
export function baseWorkerContext(task: TaskFields, mode: string): BaseWorkerContext {
  return { mode, workers: task.workers, iterations: task.operations, params: task.params, worker: task.index, appUrl: task.appUrl };
}

/** The scenario's `worker`; a scenario that races over HTTP alone has none, and never reaches a thread. */
export function workerOf<Db, Worker extends BaseWorkerContext>(scenario: ScenarioDefinition<Db, Worker> | AnyScenario): (context: Worker) => Promise<WorkerSession> | WorkerSession {
  const worker = scenario.worker as ((context: Worker) => Promise<WorkerSession> | WorkerSession) | undefined;
  if (!worker) throw new Error(`scenario ${scenario.name} has no worker(): it races over HTTP only`);
  return worker.bind(scenario);
}
