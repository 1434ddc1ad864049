import { integer, intParam } from '../helpers.js';
import type { RunContext, Verification, VerifyContext } from '../types.js';

/**
 * The overdraft, whatever the engine: one account, every worker withdrawing the same amount
 * after checking the balance. The account starts with enough for half the workers' first
 * withdrawals (or `--param balance=N`), so the race is decided in the first instants of the run.
 */
export const WITHDRAW_ACCOUNT_ID = 1;
export const WITHDRAWAL_AMOUNT = 10;

export function withdrawStartBalance({ workers, params }: RunContext): number {
  return intParam(params, 'balance', WITHDRAWAL_AMOUNT * Math.max(1, Math.ceil(workers / 2)), 0, 1_000_000_000);
}

/** What the database holds after the run: the account's balance, and the withdrawals it recorded. */
export interface WithdrawHeld {
  readonly balance: number;
  readonly accepted: number;
  readonly withdrawn: number;
}

/** balance ≥ 0, and the balance is the start balance less what the recorded withdrawals took. */
export function withdrawVerdict(held: WithdrawHeld | undefined, context: VerifyContext): Verification {
  const start = withdrawStartBalance(context);
  const allowed = Math.floor(start / WITHDRAWAL_AMOUNT);
  const { balance = start, accepted = 0, withdrawn = 0 } = held ?? {};
  const consistent = balance === start - withdrawn;
  const holds = balance >= 0 && consistent;
  const excess = Math.max(0, accepted - allowed);
  const message = !consistent
    ? `the balance is ${integer.format(balance)}, but ${integer.format(start)} − ${integer.format(withdrawn)} withdrawn is ${integer.format(start - withdrawn)}`
    : holds
      ? `the balance is ${integer.format(balance)}: ${integer.format(accepted)} withdrawals of ${WITHDRAWAL_AMOUNT} accepted (the start balance allowed ${integer.format(allowed)}), ${integer.format(context.outcomes.refused ?? 0)} refused`
      : `the balance went to ${integer.format(balance)}: ${integer.format(accepted)} withdrawals of ${WITHDRAWAL_AMOUNT} were accepted where ${integer.format(start)} allowed ${integer.format(allowed)}, so ${integer.format(excess)} should have been refused`;
  return {
    holds,
    invariant: 'balance ≥ 0 and balance = start − accepted withdrawals',
    message,
    quantity: 'accepted withdrawals, at most',
    expected: allowed,
    actual: accepted,
    figures: {
      'start balance': start,
      balance,
      overdraft: Math.max(0, -balance),
      'should have been refused': excess,
    },
  };
}
