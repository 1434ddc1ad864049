import type { ScriptResult } from './protocol.js';
import type { SessionThread } from './session-thread.js';
import type { PermutationStep, SpecStep } from './spec.js';

/** What the tester prints, in the order it prints it. */
export class Transcript {
  private readonly chunks: string[] = [];
  /** What the tester says on standard error and goes on: a teardown that failed. */
  readonly warnings: string[] = [];
  /** Set whenever a notice is printed, as the tester's notice processor sets any_new_notice. */
  newNotice = false;

  print(text: string): void {
    this.chunks.push(text);
  }

  get text(): string {
    return this.chunks.join('');
  }
}

/** A step sent to its session and not yet reported complete. */
export interface Running {
  readonly marker: PermutationStep;
  readonly spec: SpecStep;
  readonly session: TesterSession;
  /** For each `(other notices N)` marker: the other session's notice count that releases it. */
  readonly noticeTargets: Map<number, number>;
  readonly notices: string[];
  reportedWaiting: boolean;
  cancelled: boolean;
}

interface Notification {
  readonly pid: number;
  readonly channel: string;
  readonly payload: string;
}

/**
 * One spec session as the tester sees its connection: the step running on it, the notices it
 * has printed so far, and the result once it has read it. Reading the thread's inbox is what
 * libpq does when the tester polls the connection: notices are printed at that moment,
 * prefixed with the session's name, and notifications wait until a step of the session completes.
 */
export class TesterSession {
  active: Running | null = null;
  result: ScriptResult | null = null;
  totalNotices = 0;
  private readonly notifications: Notification[] = [];

  constructor(
    readonly thread: SessionThread,
    private readonly transcript: Transcript,
  ) {}

  get name(): string {
    return this.thread.name;
  }

  /** Reads what has arrived; true once the result of the SQL in flight is in. */
  consume(): boolean {
    for (const message of this.thread.take()) {
      if (message.kind === 'notice') {
        this.transcript.print(`${this.name}: ${message.text}`);
        this.totalNotices++;
        this.transcript.newNotice = true;
        this.active?.notices.push(message.text);
      } else if (message.kind === 'notification') {
        this.notifications.push(message);
      } else if (message.kind === 'done') {
        this.result = { statements: message.statements, error: message.error };
      }
    }
    return this.result !== null;
  }

  /** Hands the thread its script `index` (setup, a step or teardown). */
  send(index: number): void {
    this.result = null;
    this.thread.send(index);
  }

  /** Takes the result read, leaving the connection idle. */
  takeResult(): ScriptResult {
    const result = this.result ?? { statements: [], error: null };
    this.result = null;
    this.active = null;
    return result;
  }

  /** The notifications received so far, as the tester prints them after a step, naming the sender. */
  notificationLines(senderOf: (pid: number) => string): string[] {
    this.consume();
    return this.notifications.splice(0).map(({ pid, channel, payload }) => `${this.name}: NOTIFY "${channel}" with payload "${payload}" from ${senderOf(pid)}\n`);
  }
}
