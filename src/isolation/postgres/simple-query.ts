import type pg from 'pg';
import type { ScriptResult, StatementOutput, StepError } from '../protocol.js';

interface ProtocolConnection {
  query(text: string): void;
  sendCopyFail(message: string): void;
}

/** The fields of a server message node-postgres hands over (an error or a notice). */
export interface ServerMessage {
  readonly severity?: string | undefined;
  readonly code?: string | undefined;
  readonly message: string;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
  readonly internalQuery?: string | undefined;
}

export function stepError(error: unknown): StepError {
  const message = error as Partial<ServerMessage>;
  return {
    severity: typeof message.severity === 'string' ? message.severity : 'ERROR',
    code: typeof message.code === 'string' ? message.code : null,
    message: typeof message.message === 'string' ? message.message : String(error),
  };
}

/** A notice as libpq's notice processor receives it at the default verbosity (no CONTEXT for notices). */
export function noticeText(notice: ServerMessage): string {
  return [
    `${notice.severity ?? 'NOTICE'}:  ${notice.message}\n`,
    notice.detail ? `DETAIL:  ${notice.detail}\n` : '',
    notice.hint ? `HINT:  ${notice.hint}\n` : '',
    notice.internalQuery ? `QUERY:  ${notice.internalQuery}\n` : '',
  ].join('');
}

/**
 * A query string sent over the simple protocol, as libpq's PQsendQuery does: every statement's
 * result with the values' text exactly as the server sent it (no type parsing: booleans stay `t`,
 * dates stay in the server's DateStyle), and the results that came before an error are kept. It
 * plugs into node-postgres as a submittable, as pg-cursor does.
 */
export class SimpleQuery implements pg.Submittable {
  readonly done: Promise<ScriptResult>;
  private readonly statements: StatementOutput[] = [];
  private current: { fields: string[]; rows: (string | null)[][] } | null = null;
  private finish!: (result: ScriptResult) => void;

  constructor(private readonly text: string) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  submit(connection: unknown): void {
    (connection as ProtocolConnection).query(this.text);
  }

  handleRowDescription(message: { fields: readonly { name: string }[] }): void {
    this.current = { fields: message.fields.map((field) => field.name), rows: [] };
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    this.current?.rows.push(message.fields);
  }

  handleCommandComplete(): void {
    this.statements.push(this.current ?? { fields: [], rows: [] });
    this.current = null;
  }

  handleEmptyQuery(): void {
    this.statements.push({ fields: [], rows: [] });
  }

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: unknown): void {
    (connection as ProtocolConnection).sendCopyFail('COPY FROM STDIN is not supported in a spec');
  }

  handleCopyData(): void {}

  handleError(error: unknown): void {
    this.finish({ statements: this.statements, error: stepError(error) });
  }

  handleReadyForQuery(): void {
    this.finish({ statements: this.statements, error: null });
  }
}

/** Runs `text` on `client` and resolves with what the server sent back; never rejects for a server error. */
export function runScript(client: pg.ClientBase, text: string): Promise<ScriptResult> {
  return client.query(new SimpleQuery(text)).done;
}
