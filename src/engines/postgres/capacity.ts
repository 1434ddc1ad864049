import type pg from 'pg';
import { CapacityError } from '../../errors.js';

interface ConnectionBudget {
  max_connections: number;
  reserved: number;
  in_use: number;
  superuser: boolean;
}

/**
 * Checks, before any thread starts, that the server can take one more connection per worker
 * (the coordinator's own connection is already counted as in use).
 */
export async function checkConnectionCapacity(admin: pg.ClientBase, workers: number): Promise<void> {
  const { rows } = await admin.query<ConnectionBudget>(`
    SELECT current_setting('max_connections')::integer AS max_connections,
           current_setting('superuser_reserved_connections')::integer AS reserved,
           (SELECT count(*)::integer FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use,
           (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`);
  const budget = rows[0];
  if (!budget) return;
  const usable = budget.max_connections - (budget.superuser ? 0 : budget.reserved);
  const free = usable - budget.in_use;
  if (free < workers) {
    throw new CapacityError(
      `the server has max_connections=${budget.max_connections} (${usable} usable by this user, ${budget.in_use} in use), ` +
        `so ${free} are free; this run needs ${workers}, one per worker. Lower --workers or raise max_connections.`,
    );
  }
}
