import { integer, intParam, pick } from '../helpers.js';
import type { RunContext, Verification, VerifyContext } from '../types.js';

/**
 * The deadlock, whatever the engine: transfers of 1 between a few accounts (10, or `--param
 * accounts=N`), each transaction locking both rows.
 */
export const TRANSFER_START_BALANCE = 1000;
export const TRANSFER_AMOUNT = 1;

export function transferAccountCount({ params }: RunContext): number {
  return intParam(params, 'accounts', 10, 2, 100_000);
}

/** The two distinct accounts (1 to `accounts`) of a worker's transfer number `iteration`: the same run, the same pairs. */
export function transferPair(worker: number, iteration: number, accounts: number): { from: number; to: number } {
  const from = 1 + pick(worker, iteration, 1, accounts);
  const to = 1 + ((from + pick(worker, iteration, 2, accounts - 1)) % accounts);
  return { from, to };
}

/** The two accounts in the order a transfer locks them: as named, or by id. */
export function lockOrder(from: number, to: number, ordered: boolean): [number, number] {
  return ordered && to < from ? [to, from] : [from, to];
}

/** What the database holds after the run. */
export interface TransferHeld {
  /** The sum of all balances. */
  readonly total: number;
  /** Accounts whose balance is not the start balance plus what their recorded transfers moved. */
  readonly unbalanced: number;
  /** Transfers recorded. */
  readonly transfers: number;
}

/** The total unchanged, every account matching its recorded transfers, each successful transfer recorded once. */
export function transferVerdict(held: TransferHeld | undefined, context: VerifyContext, deadlockCode: string): Verification {
  const accounts = transferAccountCount(context);
  const { total = 0, unbalanced = 0, transfers = 0 } = held ?? {};
  const expectedTotal = accounts * TRANSFER_START_BALANCE;
  const recorded = transfers >= context.succeeded && transfers <= context.succeeded + context.inDoubt;
  const holds = total === expectedTotal && unbalanced === 0 && recorded;
  const deadlocks = context.errors.filter((error) => error.code === deadlockCode).reduce((sum, error) => sum + error.count, 0);
  const message = holds
    ? `the ${accounts} accounts still hold ${integer.format(total)} in all, every one matches its ${integer.format(transfers)} recorded transfers; ` +
      `${integer.format(deadlocks)} deadlocks were detected on the way`
    : `the accounts hold ${integer.format(total)} instead of ${integer.format(expectedTotal)}, ${unbalanced} do not match their transfers, ` +
      `${integer.format(transfers)} transfers recorded for ${integer.format(context.succeeded)} made`;
  return {
    holds,
    invariant: 'total balance unchanged, no transfer applied twice or half',
    message,
    quantity: 'total balance',
    expected: expectedTotal,
    actual: total,
    figures: { accounts, 'recorded transfers': transfers, 'accounts off their transfers': unbalanced, deadlocks },
  };
}
