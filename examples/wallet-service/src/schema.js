import { sql } from 'kysely';

/** The wallet's tables: a balance per wallet, and a ledger row per withdrawal. */
export async function createTables(db) {
  await db.schema.createTable('wallets').addColumn('id', 'integer', (column) => column.primaryKey()).addColumn('balance', 'integer', (column) => column.notNull()).execute();
  await db.schema
    .createTable('ledger')
    .addColumn('id', 'integer', (column) => column.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('wallet_id', 'integer', (column) => column.notNull().references('wallets.id'))
    .addColumn('amount', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
}
