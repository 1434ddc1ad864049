import type { ENGINES } from '../engines/registry.js';
import type { SharedMutex } from '../sync/mutex.js';
import type { COMMON_OPTIONS } from '../options/common.js';
import type { OptionSpec, OptionTable, OptionValues } from '../options/define.js';

type Engines = typeof ENGINES;
type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** Every engine's own options, as a caller may pass them (`db`, `gate`, `file`, `journal`, …). */
export type EngineOptionValues = UnionToIntersection<{ [Name in keyof Engines]: OptionValues<Engines[Name]['options']> }[keyof Engines]>;

/** The stages of a run, in order, as `onStage` reports them. */
export type RaceStage = 'database' | 'setup' | 'race' | 'verify' | 'cleanup';

/** Where a race is, for a progress bar. */
export interface RaceProgress {
  readonly scenario: string;
  readonly mode: string;
  /** Operations finished so far, however they ended. */
  readonly done: number;
  /** workers × increments. */
  readonly total: number;
  /** Since the release of the barrier. */
  readonly elapsedMs: number;
}

/** What a caller of runRace may pass besides the flags: hooks, and objects no command line can give. */
export interface RaceHooks {
  /** Aborts the run; it tears down and rejects with an `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Called as the run enters each stage. */
  readonly onStage?: (stage: RaceStage) => void;
  /** Called a few times a second during the race (and once at its end) with the operations done. */
  readonly onProgress?: (progress: RaceProgress) => void;
  /** Told what the rig is doing, a line at a time (the CLI prints them with --verbose). */
  readonly onLog?: (line: string) => void;
  /**
   * SQLite `mutex` mode: the cross-thread mutex to use, shared with the caller (who may hold it,
   * say, to show that a holder that never lets go turns into lock timeouts, not a hang).
   */
  readonly mutex?: SharedMutex;
}

/**
 * What runRace takes: every flag as its camelCase option (the option tables declare them,
 * src/options/common.ts and each engine's options.ts), and the hooks. Everything is optional.
 */
export type RaceOptions = OptionValues<typeof COMMON_OPTIONS> & EngineOptionValues & RaceHooks & { readonly engine?: string };

type Echoed<Table extends OptionTable> = {
  readonly [Key in keyof Table as Table[Key] extends { readonly echo: false } ? never : Key]: EchoValue<Table[Key]>;
};
type EchoValue<Spec extends OptionSpec> = Spec extends { readonly type: 'boolean' } ? boolean : Spec extends { readonly type: 'number' } ? number | null : unknown;

/** The options a run used, repeated in its result (never a password): every option of every engine. */
export type OptionsEcho = { readonly engine: string; readonly scenario: string; readonly mode: string } & Omit<Echoed<typeof COMMON_OPTIONS>, 'scenario' | 'mode'> &
  UnionToIntersection<{ [Name in keyof Engines]: Echoed<Engines[Name]['options']> }[keyof Engines]>;
