import { POSTGRES_OPTIONS } from '../engines/postgres/options.js';
import { COMMON_OPTIONS, MAX_TIMEOUT_MS } from '../options/common.js';

/** The defaults and limits of the most used options, read from the option tables (kept for the API). */
export const DEFAULTS = {
  engine: 'postgres',
  scenario: COMMON_OPTIONS.scenario.default,
  mode: 'lost',
  workers: COMMON_OPTIONS.workers.default,
  increments: COMMON_OPTIONS.increments.default,
  maxRetries: Number.POSITIVE_INFINITY,
  backoffMs: COMMON_OPTIONS.backoffMs.default,
  gate: POSTGRES_OPTIONS.gate.default,
  lockTimeoutMs: COMMON_OPTIONS.lockTimeoutMs.default,
  statementTimeoutMs: POSTGRES_OPTIONS.statementTimeoutMs.default,
  timeoutMs: COMMON_OPTIONS.timeoutMs.default,
} as const;

export const LIMITS = {
  workers: COMMON_OPTIONS.workers.max,
  increments: COMMON_OPTIONS.increments.max,
  backoffMs: COMMON_OPTIONS.backoffMs.max,
  /** One day, for every timeout. */
  timeoutMs: MAX_TIMEOUT_MS,
} as const;
