import type { RaceResult } from '../../result/types.js';
import type { RaceProgress } from '../../race/options.js';
import type { Catalog } from '../catalog.js';
import { post } from './api.js';
import { bindRaceForm, raceRequest, scenarioOf } from './catalog-forms.js';
import { byId, escapeHtml, setProgress, setStatus } from './dom.js';
import { runResultHtml } from './run-view.js';

/** Run: one race, its live progress, then the verdict and the numbers of the finished result. */
export class RunPane {
  private readonly pane = byId('tab-run');
  private readonly form = byId<HTMLFormElement>('run-form');
  private readonly status = byId('run-status');
  private readonly result = byId('run-result');

  constructor(private readonly catalog: Catalog) {
    bindRaceForm(this.form, catalog, () => this.describeMode());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
    this.pane.querySelector('.cancel')?.addEventListener('click', () => void post('/api/cancel').catch((error: Error) => setStatus(this.status, error.message, true)));
  }

  private describeMode(): void {
    const mode = (this.form.elements.namedItem('mode') as HTMLSelectElement).value;
    const scenario = scenarioOf(this.catalog, this.form);
    const listed = scenario?.modes.find((candidate) => candidate.name === mode);
    byId('mode-summary').textContent = listed ? `${mode}: ${listed.summary}` : (scenario?.summary ?? '');
  }

  private async start(): Promise<void> {
    setStatus(this.status, 'starting…');
    try {
      await post('/api/run', raceRequest(this.form));
    } catch (error) {
      setStatus(this.status, (error as Error).message, true);
    }
  }

  started(): void {
    this.result.innerHTML = '';
    setProgress(this.pane, 0);
    setStatus(this.status, 'the workers are getting ready…');
  }

  progress(progress: RaceProgress): void {
    setProgress(this.pane, progress.done / Math.max(1, progress.total));
    setStatus(this.status, `${progress.done} of ${progress.total} operations done (${(progress.elapsedMs / 1000).toFixed(1)} s)`);
  }

  finished(result: RaceResult, id: number): void {
    setProgress(this.pane, 1);
    setStatus(this.status, `done: ${result.verdict}`);
    this.result.innerHTML = runResultHtml(result, id);
  }

  failed(message: string, cancelled: boolean): void {
    setProgress(this.pane, 0);
    setStatus(this.status, cancelled ? 'cancelled; everything it started is cleaned up' : message, !cancelled);
    if (cancelled) this.result.innerHTML = `<p class="muted">${escapeHtml(message)}</p>`;
  }
}
