import type { RaceResult } from '../../result/types.js';
import type { RaceProgress } from '../../race/options.js';
import type { ComparisonResult } from '../../pipeline/api.js';
import type { Catalog } from '../catalog.js';
import { post } from './api.js';
import { bindRaceForm, raceRequest, scenariosOf } from './catalog-forms.js';
import type { ListedScenario } from './catalog-forms.js';
import { comparisonHtml } from './compare-view.js';
import { byId, setProgress, setStatus } from './dom.js';

/** Compare: every mode of a scenario, one after another, drawn as the results come in. */
export class ComparePane {
  private readonly pane = byId('tab-compare');
  private readonly form = byId<HTMLFormElement>('compare-form');
  private readonly status = byId('compare-status');
  private readonly chart = byId('compare-chart');
  private scenario: ListedScenario | undefined;
  private readonly results = new Map<string, RaceResult>();

  constructor(private readonly catalog: Catalog) {
    bindRaceForm(this.form, catalog, () => undefined);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void post('/api/compare', raceRequest(this.form)).catch((error: Error) => setStatus(this.status, error.message, true));
    });
    this.pane.querySelector('.cancel')?.addEventListener('click', () => void post('/api/cancel').catch((error: Error) => setStatus(this.status, error.message, true)));
  }

  started(options: { engine?: string; scenario?: string }): void {
    this.scenario = scenariosOf(this.catalog, options.engine ?? '').find((listed) => listed.name === options.scenario);
    this.results.clear();
    setProgress(this.pane, 0);
    setStatus(this.status, `comparing the ${this.scenario?.modes.length ?? ''} modes of ${options.scenario ?? ''}…`);
    this.draw();
  }

  private running(): string | null {
    return this.scenario?.modes.find((mode) => !this.results.has(mode.name))?.name ?? null;
  }

  private draw(): void {
    if (this.scenario) this.chart.innerHTML = comparisonHtml(this.scenario.modes, this.results, this.running(), this.scenario.unit);
  }

  progress(progress: RaceProgress): void {
    const modes = this.scenario?.modes.length ?? 1;
    setProgress(this.pane, (this.results.size + progress.done / Math.max(1, progress.total)) / modes);
  }

  runResult(result: RaceResult): void {
    this.results.set(result.mode, result);
    setStatus(this.status, `${result.mode}: ${result.verdict}, ${result.lost} lost`);
    this.draw();
  }

  finished(comparison: ComparisonResult): void {
    setProgress(this.pane, 1);
    setStatus(this.status, comparison.asDocumented ? 'every mode came out as documented' : 'some mode did not come out as documented: see its verdict');
    this.draw();
  }

  failed(message: string, cancelled: boolean): void {
    setStatus(this.status, cancelled ? 'cancelled; everything it started is cleaned up' : message, !cancelled);
  }
}
