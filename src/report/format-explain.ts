import type { RaceResult } from '../result/types.js';
import type { ModeSpec, ScenarioInfo } from '../scenarios/types.js';

const integer = new Intl.NumberFormat('en-US');

/** `--explain`, before the run: what the mode does, statement by statement, and why it breaks or holds. */
export function formatExplanation(scenario: ScenarioInfo, mode: ModeSpec): string {
  const steps = mode.explain?.steps ?? [];
  const expectation = mode.outcome === 'race' ? 'breaks under concurrency' : 'holds under concurrency';
  return [
    `${scenario.name}/${mode.name}: ${mode.summary}`,
    '',
    ...(steps.length > 0 ? ['Each operation runs:', ...steps.map((step) => `    ${step}`), ''] : []),
    `Why it ${expectation}: ${mode.explain?.why ?? mode.summary}`,
  ].join('\n');
}

function plural(count: number, unit: string): string {
  return `${integer.format(count)} ${unit}${count === 1 ? '' : 's'}`;
}

/** `--explain`, after the run: the numbers of the report, tied to the story told before it. */
export function formatStory(result: RaceResult, mode: ModeSpec): string {
  const { unit } = result;
  const lines: string[] = [];
  if (result.verdict === 'RACE') {
    lines.push(
      result.lost > 0
        ? `${plural(result.succeeded, unit)} reported success, and the database holds ${integer.format(result.actual)} (${result.quantity}): ${integer.format(result.lost)} were erased in the window described above.`
        : `The invariant (${result.invariant}) broke: ${result.message}. That is the window described above.`,
    );
    if (mode.outcome === 'correct') lines.push(`This mode should hold, so this is a finding: look at the errors and failures above.`);
  } else {
    lines.push(`The invariant held: ${result.message}.`);
    if (mode.outcome === 'race') {
      lines.push(
        `This run did not hit the window: ${result.workers} workers × ${plural(result.increments, unit)} was too little contention this time; ` +
          'raise --workers or --increments, or measure how often it happens with --repeat.',
      );
    }
  }
  if (result.retries > 0) {
    lines.push(`It cost ${plural(result.retries, 'retry').replace('retrys', 'retries')} (${result.attemptsPerOperation} attempts per ${unit}): the conflicts described above, detected and done again.`);
  }
  if (result.lockWaitMs.total > 0 && mode.outcome === 'correct') {
    lines.push(`The workers spent ${integer.format(Math.round(result.lockWaitMs.total))} ms in the locking statement (${result.lockWaitMs.perOperation} ms per ${unit}): the queue the lock forms.`);
  }
  if (result.failed > 0) lines.push(`${plural(result.failed, unit)} failed and left no trace (see "failed" above).`);
  lines.push(`Throughput: ${integer.format(result.opsPerSec)} ${unit}s/s; p99 latency ${result.latencyMs.p99} ms.`);
  return lines.join('\n');
}
