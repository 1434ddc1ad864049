import type { WorkerTask } from '../protocol.js';
import type { AnyScenario, BaseWorkerContext, ScenarioDefinition, WorkerSession } from './types.js';

/** What every engine puts in a worker's context before its own fields. */
export function baseWorkerContext(task: WorkerTask, mode: string): BaseWorkerContext {
  return { mode, workers: task.workers, iterations: task.operations, params: task.params, worker: task.index, appUrl: task.appUrl };
}

/** The scenario's `worker`; a scenario that races over HTTP alone has none, and never reaches a thread. */
export function workerOf<Db, Worker extends BaseWorkerContext>(scenario: ScenarioDefinition<Db, Worker> | AnyScenario): (context: Worker) => Promise<WorkerSession> | WorkerSession {
  const worker = scenario.worker as ((context: Worker) => Promise<WorkerSession> | WorkerSession) | undefined;
  if (!worker) throw new Error(`scenario ${scenario.name} has no worker(): it races over HTTP only`);
  return worker.bind(scenario);
}
