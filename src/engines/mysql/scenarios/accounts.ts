import type { Connection } from 'mysql2/promise';

/** Rows per INSERT: a few thousand values keep each statement far below max_allowed_packet. */
const BATCH = 1000;

/**
 * Inserts accounts 1 to `count`, each holding `balance`, in batches: MySQL has no
 * generate_series, and a recursive CTE stops at MySQL's cte_max_recursion_depth (1,000).
 */
export async function insertAccounts(db: Connection, count: number, balance: number): Promise<void> {
  for (let first = 1; first <= count; first += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, count - first + 1) }, (_, index) => first + index);
    await db.query('INSERT INTO accounts (id, balance) VALUES ?', [ids.map((id) => [id, balance])]);
  }
}
