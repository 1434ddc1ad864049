/** race-rig's programmatic API: `runRace(options)` returns what `race-rig --json` prints. */
export { runComparison, runRace, runRepeatedRace } from './pipeline/api.js';
export type { ComparisonOptions, ComparisonResult } from './pipeline/api.js';
export { startEmbeddedPostgres } from './engines/postgres/embedded.js';
export type { EmbeddedServer } from './engines/postgres/embedded.js';
export { startThrowawayMysqlServer } from './engines/mysql/throwaway-api.js';
export type { ThrowawayMysql } from './engines/mysql/throwaway-api.js';
export { ENGINES } from './engines/registry.js';
export type { Engine, EngineSession, EngineWorker, PreparedRun, StartKind } from './engines/types.js';
export { COMMON_OPTIONS } from './options/common.js';
export { DEFAULTS, LIMITS } from './race/defaults.js';
export type { RaceOptions, RaceProgress, RaceStage, OptionsEcho } from './race/options.js';
export { formatResult } from './report/format.js';
export type { TimelineEvent, TimelineKind } from './timeline/types.js';
export { lostWrites } from './timeline/analyze.js';
export type { LostWrite } from './timeline/analyze.js';
export { formatTimeline } from './report/format-timeline.js';
export { junitReport } from './report/junit.js';
export { htmlReport } from './report/html.js';
export type { LatencyBucket } from './result/latency.js';
export type { RaceResult, Verdict } from './result/types.js';
export type { RepeatedResult, Spread } from './result/repeat.js';
export type { AppContext, AttemptResult, Expectation, HttpOperations, HttpRequest, HttpResponse, ModeSpec, RunContext, RunningApp, ScenarioDefinition, Verification, VerifyContext, WorkerSession } from './scenarios/types.js';
export { countVerification } from './scenarios/types.js';
export type { Scenario, WorkerContext } from './engines/postgres/scenarios/types.js';
export type { SqliteScenario, SqliteWorkerContext } from './engines/sqlite/types.js';
export type { MysqlScenario, MysqlWorkerContext } from './engines/mysql/types.js';
export type { MysqlStatements } from './engines/mysql/statements.js';
export { SCENARIOS } from './engines/postgres/scenarios/index.js';
export { intParam, pick } from './scenarios/helpers.js';
export { hasSqlstate } from './engines/postgres/sqlstate.js';
export type { StatementRunner } from './engines/postgres/statements.js';
export { OUTSIDE_HOLDER, SharedMutex } from './sync/mutex.js';
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
export { exploreRace } from './explore/explore.js';
export type { ExploreOptions } from './explore/explore.js';
export type { ExploreResult, ExploredStep, FailingSchedule } from './explore/result.js';
export type { ScheduleKind } from './explore/run-schedule.js';
export { runSpecFile } from './isolation/spec-command.js';
export type { SpecFileOptions, SpecFileResult } from './isolation/spec-command.js';
export { runIsolationMatrix } from './isolation/matrix.js';
export type { IsolationMatrix, MatrixCell, MatrixRow, Prevention } from './isolation/matrix.js';
export { parseSpec } from './isolation/spec.js';
export type { Spec, SpecSession, SpecStep, PermutationStep, Blocker } from './isolation/spec.js';
export type { PermutationOutcome, StepOutcome } from './isolation/outcome.js';
export { formatPermutation, formatSpecRun } from './isolation/format-spec.js';
