/** race-rig's programmatic API: `runRace(options)` returns what `race-rig --json` prints. */
export { runRace } from './run-race.js';
export { startEmbeddedPostgres } from './engines/embedded.js';
export type { EmbeddedServer } from './engines/embedded.js';
export { formatResult } from './report/format.js';
export { DEFAULTS, LIMITS } from './options.js';
export type { RaceOptions, RaceProgress, RaceStage } from './options.js';
export { runComparison } from './compare.js';
export type { ComparisonOptions, ComparisonResult } from './compare.js';
export type { TimelineEvent, TimelineKind } from './timeline/types.js';
export { lostWrites } from './timeline/analyze.js';
export type { LostWrite } from './timeline/analyze.js';
export { formatTimeline } from './report/format-timeline.js';
export { junitReport } from './report/junit.js';
export { htmlReport } from './report/html.js';
export type { LatencyBucket } from './report/latency.js';
export type { RaceResult, Verdict } from './result.js';
export type {
  AttemptResult,
  Expectation,
  ModeSpec,
  RunContext,
  Scenario,
  Verification,
  VerifyContext,
  WorkerContext,
  WorkerSession,
} from './scenarios/types.js';
export { countVerification } from './scenarios/types.js';
export { hasSqlstate, intParam, pick } from './scenarios/helpers.js';
export type { StatementRunner } from './scenarios/statements.js';
export { runRepeatedRace } from './run-race.js';
export { OUTSIDE_HOLDER, SharedMutex } from './sync/mutex.js';
export type { RepeatedResult, Spread } from './report/repeat.js';
export { SCENARIOS } from './scenarios/index.js';
export {
  RigError,
  InvalidOptionError,
  BarrierError,
  DatabaseError,
  CapacityError,
  WorkerError,
  AbortedError,
  RunTimeoutError,
} from './errors.js';
export { runSpecFile } from './isolation/spec-command.js';
export type { SpecFileOptions, SpecFileResult } from './isolation/spec-command.js';
export { runIsolationMatrix } from './isolation/matrix.js';
export type { IsolationMatrix, MatrixCell, MatrixRow, Prevention } from './isolation/matrix.js';
export { parseSpec } from './isolation/spec.js';
export type { Spec, SpecSession, SpecStep, PermutationStep } from './isolation/spec.js';
export type { PermutationOutcome, StepOutcome, ScheduleEvent } from './isolation/schedule.js';
export { formatPermutation, formatSpecRun } from './isolation/format-spec.js';
