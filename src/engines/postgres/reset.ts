import type pg from 'pg';

/** Quotes an identifier as the server would accept it. */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

interface TableCopy {
  readonly table: string;
  readonly copy: string;
  /** The columns an INSERT may write (not generated ones), quoted and joined. */
  readonly columns: string;
}

/**
 * The run's data as the scenario's set-up left it, kept beside it, so that explore can put it
 * back before each schedule instead of building a fresh schema: every table's rows (in their
 * physical order) and every sequence. `reset` restores them with triggers off
 * (session_replication_role, a superuser's right) and then proves the state equal by comparing a
 * fingerprint of all rows and sequences with the one taken after set-up.
 */
export class RunSnapshot {
  private constructor(
    private readonly admin: pg.ClientBase,
    private readonly restoreSql: string,
    private readonly fingerprintSql: string,
    private readonly fingerprint: string,
  ) {}

  /** Null when the data cannot be restored this way (partitioned tables, no superuser right, nothing to keep). */
  static async take(admin: pg.ClientBase, schema: string): Promise<RunSnapshot | null> {
    const { rows: relations } = await admin.query<{ name: string; kind: string; columns: string[] | null }>(
      `SELECT c.relname AS name, c.relkind::text AS kind,
              array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum) AS columns
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'S') ORDER BY c.relname`,
      [schema],
    );
    if (relations.some((relation) => relation.kind === 'p')) return null;
    const tables: TableCopy[] = relations
      .filter((relation) => relation.kind === 'r')
      .map((relation, index) => ({ table: quoted(relation.name), copy: `race_rig_setup_${index}`, columns: (relation.columns ?? []).map(quoted).join(', ') }));
    const sequences = relations.filter((relation) => relation.kind === 'S').map((relation) => quoted(relation.name));
    if (tables.length === 0) return null;
    try {
      await admin.query('SET session_replication_role = replica; RESET session_replication_role');
    } catch {
      return null;
    }
    const sequenceState = await Promise.all(
      sequences.map(async (sequence) => {
        const { rows } = await admin.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${sequence}`);
        return `SELECT setval('${sequence.replaceAll("'", "''")}', ${rows[0]?.last_value ?? 1}, ${rows[0]?.is_called ?? false});`;
      }),
    );
    await admin.query(tables.map(({ table, copy }) => `CREATE TABLE ${copy} AS SELECT * FROM ${table} ORDER BY ctid;`).join('\n'));
    const restoreSql = [
      'SET session_replication_role = replica;',
      ...tables.map(({ table }) => `DELETE FROM ${table};`),
      ...tables.map(({ table, copy, columns }) => `INSERT INTO ${table} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM ${copy} ORDER BY ctid;`),
      ...sequenceState,
      'RESET session_replication_role;',
    ].join('\n');
    const parts = [
      ...tables.map(({ table }) => `(SELECT coalesce(string_agg(t::text, ',' ORDER BY ctid), '') FROM ${table} t)`),
      ...sequences.map((sequence) => `(SELECT last_value::text || is_called::text FROM ${sequence})`),
    ];
    const fingerprintSql = `SELECT md5(concat_ws('|', ${parts.join(', ')})) AS fingerprint`;
    return new RunSnapshot(admin, restoreSql, fingerprintSql, await fingerprintOf(admin, fingerprintSql));
  }

  /** Puts the set-up's data back; false when the state afterwards is not provably the same (then prepare afresh). */
  async reset(): Promise<boolean> {
    await this.admin.query(this.restoreSql);
    return (await fingerprintOf(this.admin, this.fingerprintSql)) === this.fingerprint;
  }
}

async function fingerprintOf(admin: pg.ClientBase, sql: string): Promise<string> {
  const { rows } = await admin.query<{ fingerprint: string }>(sql);
  return rows[0]?.fingerprint ?? '';
}
