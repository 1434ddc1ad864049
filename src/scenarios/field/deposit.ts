import { integer, intParam, pick } from '../helpers.js';
import type { RunContext, Verification, VerifyContext } from '../types.js';

/**
 * The optimistic-retry budget, whatever the engine: deposits spread over many accounts (100 by
 * default, `--param accounts=N`), a bounded number in flight at once (`--concurrency`), as in the
 * classic Go demo of 1000 deposits over 100 accounts with 100 in flight: `-w 100 -n 10 --concurrency 100`.
 */
export function depositAccountCount({ params }: RunContext): number {
  return intParam(params, 'accounts', 100, 1, 1_000_000);
}

/** The account (1 to `accounts`) and amount (1 to 100) of a worker's deposit number `iteration`: the same run, the same picks. */
export function depositPick(worker: number, iteration: number, accounts: number): { accountId: number; amount: number } {
  return { accountId: 1 + pick(worker, iteration, 1, accounts), amount: 1 + pick(worker, iteration, 2, 100) };
}

/** What the database holds after the run. */
export interface DepositHeld {
  /** Accounts whose balance is the sum of their recorded deposits. */
  readonly matching: number;
  /** Deposits recorded. */
  readonly deposits: number;
}

export function depositVerdict(held: DepositHeld | undefined, context: VerifyContext): Verification {
  const accounts = depositAccountCount(context);
  const { matching = 0, deposits = 0 } = held ?? {};
  const holds = matching === accounts;
  const ranOut = context.failures.maxRetries ?? 0;
  const message = holds
    ? `all ${integer.format(accounts)} accounts hold exactly their ${integer.format(deposits)} accepted deposits; ` +
      `${integer.format(context.retries.conflict)} retries, ${integer.format(ranOut)} deposits ran out of retries`
    : `${integer.format(accounts - matching)} of ${integer.format(accounts)} accounts do not hold the sum of their accepted deposits: deposits were lost`;
  return {
    holds,
    invariant: "each account's balance = the sum of its accepted deposits",
    message,
    quantity: 'accounts matching their deposits',
    expected: accounts,
    actual: matching,
    figures: { accounts, 'accepted deposits': deposits, 'ran out of retries': ranOut },
  };
}
