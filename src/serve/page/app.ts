import type { ComparisonResult } from '../../pipeline/api.js';
import type { RaceProgress } from '../../race/options.js';
import type { RaceResult } from '../../result/types.js';
import type { Catalog } from '../catalog.js';
import type { StepView } from '../step-sessions.js';
import { getJson, listen } from './api.js';
import { ComparePane } from './compare-pane.js';
import { byId } from './dom.js';
import { RunPane } from './run-pane.js';
import { StepPane } from './step-pane.js';

function showTab(name: string): void {
  for (const tab of document.querySelectorAll<HTMLElement>('.tab')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  for (const pane of document.querySelectorAll<HTMLElement>('.pane')) pane.hidden = pane.id !== `tab-${name}`;
}

/** One race at a time: while one runs, Run, Compare and the step-through's Start are off, and Cancel is on. */
function showBusy(running: boolean): void {
  for (const form of ['run-form', 'compare-form', 'step-form', 'failing-form'].map((id) => byId(id))) {
    form.querySelector('button[type="submit"]')?.toggleAttribute('disabled', running);
    form.querySelector('.cancel')?.toggleAttribute('disabled', !running);
  }
}

async function start(): Promise<void> {
  const catalog = await getJson<Catalog>('/api/catalog');
  const run = new RunPane(catalog);
  const compare = new ComparePane(catalog);
  const step = new StepPane(catalog);
  for (const tab of document.querySelectorAll<HTMLElement>('.tab')) tab.addEventListener('click', () => showTab(tab.dataset.tab ?? 'run'));
  const paneOf = (data: Record<string, unknown>) => (data.kind === 'compare' ? compare : run);
  listen(
    {
      started: (data) => {
        showBusy(true);
        if (data.kind === 'compare') compare.started(data.options as { engine?: string; scenario?: string });
        else run.started();
      },
      progress: (data) => paneOf(data).progress(data.progress as RaceProgress),
      'run-result': (data) => {
        if (data.kind === 'compare') compare.runResult(data.result as RaceResult);
      },
      finished: (data) => {
        showBusy(false);
        if (data.kind === 'compare') compare.finished(data.result as ComparisonResult);
        else run.finished(data.result as RaceResult, data.id as number);
      },
      failed: (data) => {
        showBusy(false);
        paneOf(data).failed(String(data.message), data.cancelled === true);
      },
      step: (data) => step.show(data.view as StepView),
      'step-closed': () => step.closed(),
    },
    (open) => {
      byId('connection').textContent = open ? 'live' : 'reconnecting…';
    },
  );
  const state = await getJson<{ race: { kind: string } | null; step: StepView | null }>('/api/state');
  showBusy(state.race !== null);
  if (state.step) step.show(state.step);
}

void start().catch((error: Error) => {
  byId('connection').textContent = `cannot reach race-rig serve: ${error.message}`;
});
