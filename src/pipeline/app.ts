import { untilAborted } from '../abort.js';
import type { PreparedRun } from '../engines/types.js';
import { errorMessage, RigError, WorkerError } from '../errors.js';
import type { ResolvedRace } from '../race/resolve.js';
import { runContextOf } from '../result/build.js';
import type { RunningApp } from '../scenarios/types.js';

/** The application a scenario starts for one race, and how to stop it (a no-op when it has none). */
export interface AppHandle {
  readonly url: string | null;
  /** Never throws: what went wrong comes back as a warning for the result. */
  close(): Promise<string[]>;
}

const NO_APP: AppHandle = { url: null, close: async () => [] };

function closer(app: RunningApp, scenario: string): () => Promise<string[]> {
  return async () => {
    try {
      await app.close?.();
      return [];
    } catch (error) {
      return [`${scenario}'s app did not close cleanly: ${errorMessage(error)}`];
    }
  };
}

function checkedUrl(app: RunningApp | undefined, scenario: string): string {
  const url = app?.url;
  if (typeof url !== 'string' || !URL.canParse(url)) throw new WorkerError(`${scenario}'s app() must resolve to { url } with the URL it listens on (got ${JSON.stringify(url)})`);
  return url;
}

/** Starts the scenario's application on the prepared run's data (`app()`), before the workers race. */
export async function startApp(race: ResolvedRace, prepared: PreparedRun, signal: AbortSignal): Promise<AppHandle> {
  const { scenario } = race;
  if (!scenario.app) return NO_APP;
  let app: RunningApp | undefined;
  const starting = Promise.resolve(scenario.app({ ...runContextOf(race), connection: prepared.connection }));
  try {
    app = await untilAborted(starting, signal);
    const url = checkedUrl(app, scenario.name);
    return { url, close: closer(app as RunningApp, scenario.name) };
  } catch (error) {
    // An app that comes up after the run was aborted is closed as soon as it does.
    await starting.then((late) => late?.close?.()).catch(() => undefined);
    throw error instanceof RigError ? error : new WorkerError(`${scenario.name}'s app() failed: ${errorMessage(error)}`);
  }
}
