import { integer, intParam } from '../helpers.js';
import type { RunContext, Verification, VerifyContext } from '../types.js';

/**
 * The limit a trigger enforces, whatever the engine: a BEFORE INSERT trigger counts the user's
 * rows and refuses the insert at the limit (`--limit N`, default 5). Every worker inserts for the
 * same user, as an application does: the item and an audit row, in one transaction.
 */
export const ROW_LIMIT_USER_ID = 1;

export function rowLimitOf({ params }: RunContext): number {
  return intParam(params, 'limit', 5, 0, 1_000_000);
}

/** `count`: the rows the user holds after the run. */
export function rowLimitVerdict(count: number, context: VerifyContext): Verification {
  const limit = rowLimitOf(context);
  const holds = count <= limit;
  return {
    holds,
    invariant: `rows per user ≤ the limit of ${limit}`,
    message: holds
      ? `user ${ROW_LIMIT_USER_ID} has ${integer.format(count)} rows; ${integer.format(context.outcomes.refused ?? 0)} inserts were refused at the limit`
      : `user ${ROW_LIMIT_USER_ID} has ${integer.format(count)} rows, ${integer.format(count - limit)} over the limit of ${limit}: the trigger let concurrent inserts through`,
    quantity: `rows of user ${ROW_LIMIT_USER_ID}, at most`,
    expected: limit,
    actual: count,
    figures: { limit, rows: count, 'over the limit': Math.max(0, count - limit) },
  };
}
