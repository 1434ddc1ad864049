import junitModule from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import type { RaceResult } from '../result/types.js';

// A CommonJS module whose types declare an ES default export: at run time the default import is
// the builder itself, for the type checker it is a namespace holding it.
const junit = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as unknown as Builder;

/** What the JUnit report covers: the runs that finished, or the error that ended the command. */
export interface JunitInput {
  /** `race-rig`, `race-rig compare`, …: the test suite's name. */
  readonly suite: string;
  readonly runs: readonly RaceResult[];
  /** The one-line error that ended the command (exit 2), reported as an errored test case. */
  readonly error?: { readonly name: string; readonly message: string };
}

const integer = new Intl.NumberFormat('en-US');

function caseName(run: RaceResult, index: number, runs: readonly RaceResult[]): string {
  const repeated = runs.length > 1 && runs.every((other) => other.mode === run.mode);
  return `${run.scenario}/${run.mode}${repeated ? ` run ${index + 1} of ${runs.length}` : ''}`;
}

function summary(run: RaceResult): string {
  return [
    `${run.verdict}: ${run.invariant}: ${run.message}`,
    `${run.workers} workers × ${integer.format(run.increments)} ${run.unit}s on ${run.database.engine} ${run.database.serverVersion}`,
    `expected ${integer.format(run.expected)}, actual ${integer.format(run.actual)}, lost ${integer.format(run.lost)}`,
    `retries ${integer.format(run.retries)}, failed ${integer.format(run.failed)}, ${integer.format(run.opsPerSec)} ${run.unit}s/s, p99 ${run.latencyMs.p99} ms`,
  ].join('\n');
}

/**
 * A JUnit XML report: one test case per run (per repetition, per compared mode). A run whose
 * verdict is not the expected one (`--expect`, or a compared mode's documented outcome) is a
 * failure with the expected and actual verdict and numbers; a run without an expectation passes
 * once it completed. Built with junit-report-builder.
 */
export function junitReport({ suite, runs, error }: JunitInput): string {
  const report = junit.newBuilder();
  const testSuite = report.testSuite().name(suite).timestamp(new Date());
  const first = runs[0];
  if (first) {
    testSuite
      .property('engine', first.options.engine)
      .property('workers', String(first.workers))
      .property('increments', String(first.increments))
      .property('server', first.database.serverVersion);
  }
  runs.forEach((run, index) => {
    const testCase = testSuite
      .testCase()
      .className(`race-rig.${run.scenario}`)
      .name(caseName(run, index, runs))
      .time(Math.round(run.elapsedMs) / 1000)
      .standardOutput(summary(run));
    const expectation = run.expectation;
    if (expectation && !expectation.met) {
      const expected = expectation.expected.toUpperCase();
      testCase
        .failure(`expected ${expected}, got ${run.verdict}: ${run.message}`, 'ExpectationNotMet')
        .stacktrace(
          [
            `expected verdict: ${expected}`,
            `actual verdict:   ${run.verdict}`,
            `invariant:        ${run.invariant}`,
            `expected ${run.quantity}: ${integer.format(run.expected)}`,
            `actual ${run.quantity}:   ${integer.format(run.actual)}`,
            `lost:             ${integer.format(run.lost)}`,
          ].join('\n'),
        );
    }
  });
  if (error) testSuite.testCase().className('race-rig').name(error.name).error(error.message, 'RigError');
  return report.build();
}
