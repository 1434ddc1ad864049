import { DatabaseError } from '../errors.js';
import { formatRows } from './format-spec.js';
import type { ScriptResult } from './protocol.js';
import type { StepContext } from './schedule.js';
import type { TesterSession } from './tester-session.js';

const POLL_MS = 10;

/**
 * The set-up and teardown around each permutation, as the tester runs them with PQexec: the
 * spec's on the control connection (its notices unseen), each session's on that session's
 * connection (its notices printed). PQexec keeps only the last result of a query string, and the
 * tester prints it when it has columns. A failed setup ends the run; a failed teardown is reported
 * and the run goes on.
 */
export class SpecSetup {
  constructor(private readonly context: StepContext) {}

  async setUp(): Promise<void> {
    for (const sql of this.context.spec.setup) this.printLast(await this.context.control.run(sql), (message) => this.fail(`setup failed: ${message}`));
    for (const [session, index, sql] of this.scripts('setup')) {
      this.printLast(await this.exec(session, index, sql), (message) => this.fail(`setup of session ${session.name} failed: ${message}`));
    }
  }

  async tearDown(): Promise<void> {
    for (const [session, index, sql] of this.scripts('teardown')) {
      this.printLast(await this.exec(session, index, sql), (message) => this.context.transcript.warnings.push(`teardown of session ${session.name} failed: ${message}`));
    }
    for (const sql of this.context.spec.teardown) this.printLast(await this.context.control.run(sql), (message) => this.context.transcript.warnings.push(`teardown failed: ${message}`));
  }

  private fail(message: string): never {
    throw new DatabaseError(`the spec's ${message}`);
  }

  /** Each session's setup or teardown scripts, with their index among the session's scripts (steps, setup, teardown). */
  private scripts(which: 'setup' | 'teardown'): [TesterSession, number, string][] {
    return this.context.spec.sessions.flatMap((specSession) => {
      const session = this.context.sessions.get(specSession.name);
      if (!session) return [];
      const offset = specSession.steps.length + (which === 'setup' ? 0 : specSession.setup.length);
      return specSession[which].map((sql, at): [TesterSession, number, string] => [session, offset + at, sql]);
    });
  }

  private printLast({ statements, error }: ScriptResult, onError: (message: string) => void): void {
    if (error) return onError(error.message);
    const last = statements.at(-1);
    if (last && last.fields.length > 0) this.context.transcript.print(formatRows(last));
  }

  /** PQexec on a session: send, and read until the result is in; a script that never ends is cancelled, then given up on. */
  private async exec(session: TesterSession, index: number, sql: string): Promise<ScriptResult> {
    session.send(index);
    const started = Date.now();
    let cancelled = false;
    while (!session.consume()) {
      if (await session.thread.waitForInput(POLL_MS)) continue;
      const elapsed = Date.now() - started;
      if (elapsed > this.context.stepTimeoutMs && !cancelled) {
        await this.context.control.cancel(session.thread.pid);
        cancelled = true;
      }
      if (elapsed > 2 * this.context.stepTimeoutMs) throw new DatabaseError(`session ${session.name} did not finish ${sql.slice(0, 40)} in ${Math.floor(elapsed / 1000)} seconds`);
    }
    return session.takeResult();
  }
}
