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
        run.busy(true);
        if (data.kind === 'compare') compare.started(data.options as { engine?: string; scenario?: string });
        else run.started();
      },
      progress: (data) => paneOf(data).progress(data.progress as RaceProgress),
      'run-result': (data) => {
        if (data.kind === 'compare') compare.runResult(data.result as RaceResult);
      },
      finished: (data) => {
        run.busy(false);
        if (data.kind === 'compare') compare.finished(data.result as ComparisonResult);
        else run.finished(data.result as RaceResult, data.id as number);
      },
      failed: (data) => {
        run.busy(false);
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
  run.busy(state.race !== null);
  if (state.step) step.show(state.step);
}

void start().catch((error: Error) => {
  byId('connection').textContent = `cannot reach race-rig serve: ${error.message}`;
});
