import { integer } from '../helpers.js';
import type { Verification, VerifyContext } from '../types.js';

/**
 * Update one popular row, or append, whatever the engine: the retweet benchmark. Every worker
 * retweets message 1, either by incrementing its counter (one hot row, every writer queues for
 * its lock) or by appending one activity row per retweet (no shared row at all). The first
 * append design made (message, created_at, action) unique, with created_at the statement's or
 * transaction's timestamp: two retweets with the same timestamp collide, and the second is lost
 * to a duplicate-key error.
 */
export const HOT_ROW_MESSAGE_ID = 1;
/** The outcome of a retweet that failed on the unique key: the action happened, and is lost. */
export const LOST_TO_DUPLICATE_KEY = 'lost to a duplicate key';

/** `counted`: the retweets the database holds; `duplicateCode`: how the engine names a duplicate key, for the message. */
export function hotRowVerdict(counted: number, context: VerifyContext, duplicateCode: string): Verification {
  // Every retweet a user made counts, failed or not: a lost one is a lost action.
  const actions = context.operations - context.notAttempted;
  const holds = counted >= actions - context.inDoubt && counted <= actions;
  const duplicates = context.outcomes[LOST_TO_DUPLICATE_KEY] ?? 0;
  const message = holds
    ? `all ${integer.format(actions)} retweets are counted`
    : `${integer.format(actions - counted)} of ${integer.format(actions)} retweets are not counted` +
      (duplicates > 0 ? `: ${integer.format(duplicates)} collided on the timestamp and failed with a duplicate key (${duplicateCode})` : '');
  return {
    holds,
    invariant: 'retweets counted = retweets made',
    message,
    quantity: 'retweets counted',
    expected: actions,
    actual: counted,
    figures: { 'duplicate-key errors': duplicates },
  };
}
