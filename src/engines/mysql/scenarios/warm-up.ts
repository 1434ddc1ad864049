import type { Connection } from 'mysql2/promise';

/**
 * Prepares each statement on the worker's connection, running none: mysql2 keeps them for the
 * later `execute` calls, so no prepare round trip falls inside the race. For the statements a
 * warm-up cannot run harmlessly (an insert a foreign key refuses for the warm-up's row, say).
 */
export async function prepareStatements(connection: Connection, texts: Iterable<string>): Promise<void> {
  for (const text of texts) await connection.prepare(text);
}
