import type { StatementOutput, StepError } from './protocol.js';
import type { PermutationStep } from './spec.js';

/** What one step of a permutation did. */
export interface StepOutcome {
  readonly step: string;
  readonly session: string;
  readonly sql: string;
  /** It was reported `<waiting ...>` before it completed (a lock wait, or a marker said so). */
  readonly blocked: boolean;
  /** The results with columns, values in the server's text. */
  readonly outputs: readonly StatementOutput[];
  readonly error: StepError | null;
  /** The notices its session printed while it ran, in libpq's text. */
  readonly notices: readonly string[];
  /** It ran past the step timeout and was cancelled. */
  readonly timedOut: boolean;
}

export interface PermutationOutcome {
  readonly permutation: readonly PermutationStep[];
  /** In the order they completed. */
  readonly steps: readonly StepOutcome[];
  /** Exactly what the tester prints for the permutation, from `starting permutation:` on. */
  readonly output: string;
}

function step(outcome: PermutationOutcome, name: string): StepOutcome | undefined {
  return outcome.steps.find((candidate) => candidate.step === name);
}

/** The first column of a step's rows, as numbers. */
export function values(outcome: PermutationOutcome, name: string): number[] {
  return (step(outcome, name)?.outputs[0]?.rows ?? []).map((row) => Number(row[0]));
}

export function value(outcome: PermutationOutcome, name: string): number | undefined {
  return values(outcome, name)[0];
}

export function rowCount(outcome: PermutationOutcome, name: string): number {
  return step(outcome, name)?.outputs[0]?.rows.length ?? 0;
}

/** The steps ran and none of them failed (a COMMIT of an aborted transaction reports no error, so the writes are checked too). */
export function allSucceeded(outcome: PermutationOutcome, names: readonly string[]): boolean {
  return names.every((name) => {
    const found = step(outcome, name);
    return found !== undefined && found.error === null;
  });
}
