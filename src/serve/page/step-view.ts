import type { StepOutcome } from '../../isolation/outcome.js';
import type { SteppedSession } from '../../isolation/step-through.js';
import type { StepView } from '../step-sessions.js';
import { escapeHtml } from './dom.js';

function outputText(outcome: StepOutcome): string {
  const tables = outcome.outputs.map((output) => [output.fields.join(' | '), ...output.rows.map((row) => row.map((value) => value ?? 'NULL').join(' | '))].join('\n'));
  return tables.join('\n\n');
}

function errorText(outcome: StepOutcome): string {
  const error = outcome.error;
  return error ? `${error.severity}: ${error.message}${error.code ? ` (${error.code})` : ''}` : '';
}

function completedStep(outcome: StepOutcome, order: number): string {
  const result = outputText(outcome);
  const error = errorText(outcome);
  const classes = ['step', error ? 'failed' : 'done'].join(' ');
  return [
    `<div class="${classes}" data-step="${escapeHtml(outcome.step)}" data-state="${error ? 'failed' : 'done'}">`,
    `<span class="muted">#${order}</span> <code>${escapeHtml(outcome.sql)}</code>`,
    outcome.blocked ? '<div class="completed-note">waited for a lock, then completed when it was released</div>' : '',
    result ? `<div class="result">${escapeHtml(result)}</div>` : '',
    error ? `<div class="error">${escapeHtml(error)}</div>` : '',
    outcome.timedOut ? '<div class="error">cancelled after the step timeout</div>' : '',
    '</div>',
  ].join('');
}

function waitingStep(session: SteppedSession, sql: string): string {
  const holders = session.waitsFor === null ? 'another session (InnoDB does not say which)' : session.waitsFor.length > 0 ? session.waitsFor.join(', ') : 'another transaction';
  return `<div class="step waiting" data-step="${escapeHtml(session.waiting ?? '')}" data-state="waiting"><code>${escapeHtml(sql)}</code><div class="wait-note">waiting for a lock held by ${escapeHtml(holders)}</div></div>`;
}

function sessionColumn(session: SteppedSession, completed: readonly StepOutcome[]): string {
  const mine = completed.map((outcome, index) => ({ outcome, order: index + 1 })).filter(({ outcome }) => outcome.session === session.name);
  const done = mine.map(({ outcome, order }) => completedStep(outcome, order));
  const waiting = session.waiting ? [waitingStep(session, session.steps.find((step) => step.name === session.waiting)?.sql ?? '')] : [];
  const next = session.steps[session.sent];
  const later = session.steps.slice(session.sent + 1).map((step) => `<div class="step" data-step="${escapeHtml(step.name)}" data-state="later"><code class="muted">${escapeHtml(step.sql)}</code></div>`);
  const nextStep = next ? `<div class="step next" data-step="${escapeHtml(next.name)}" data-state="next"><code>${escapeHtml(next.sql)}</code></div>` : '';
  const button = next
    ? `<button type="button" class="run-step" data-session="${escapeHtml(session.name)}" ${session.waiting ? 'disabled' : ''}>Run ${escapeHtml(next.name)}</button>`
    : '<span class="muted">done</span>';
  return [
    `<div class="session${session.waiting ? ' waiting' : ''}" data-session="${escapeHtml(session.name)}">`,
    `<h3>${escapeHtml(session.name)} ${button}</h3>`,
    ...done,
    ...waiting,
    nextStep,
    ...later,
    '</div>',
  ].join('');
}

export function sessionsHtml(view: StepView): string {
  return view.state.sessions.map((session) => sessionColumn(session, view.state.completed)).join('');
}

/** Once every step ran: whether the anomaly occurred, as the anomaly's own judgement says. */
export function verdictHtml(view: StepView): string {
  const { state } = view;
  if (!state.finished) return '';
  const errors = state.completed.filter((step) => step.error).map((step) => `${step.step}: ${errorText(step)}`);
  const prevented = errors.length > 0 ? ` The database refused: ${errors.join('; ')}.` : '';
  if (state.occurred === true) return `<p class="step-verdict RACE" id="step-outcome" data-occurred="true">The anomaly occurred: ${escapeHtml(view.about.summary)}</p>`;
  if (state.occurred === false) return `<p class="step-verdict CORRECT" id="step-outcome" data-occurred="false">The anomaly did not occur.${escapeHtml(prevented)}</p>`;
  return `<p class="step-verdict" id="step-outcome">Every step ran.${escapeHtml(prevented)} Read the last step's rows above.</p>`;
}
