import type { Catalog } from '../catalog.js';
import type { StepView } from '../step-sessions.js';
import { post } from './api.js';
import { scenariosOf } from './catalog-forms.js';
import { byId, field, setOptions, setStatus } from './dom.js';
import { sessionsHtml, verdictHtml } from './step-view.js';

/** Play's pause between steps, for a room to follow; the button's data-pause-ms may set another (the tests do). */
const PLAY_PAUSE_MS = 900;

function describe(view: StepView): string {
  const waiting = view.state.sessions.filter((session) => session.waiting);
  if (view.state.finished) return 'every step ran';
  if (waiting.length === 0) return 'choose the session that runs its next step';
  return waiting
    .map((session) => `${session.name} waits in ${session.waiting}${session.waitsFor && session.waitsFor.length > 0 ? ` for ${session.waitsFor.join(', ')}` : ''}`)
    .join('; ');
}

/** Step through: the class picks which session runs its next step, and watches locks and errors happen. */
export class StepPane {
  private readonly form = byId<HTMLFormElement>('step-form');
  private readonly failing = byId<HTMLFormElement>('failing-form');
  private readonly status = byId('step-status');
  private readonly play = byId<HTMLButtonElement>('step-play');
  private playing = false;

  constructor(catalog: Catalog) {
    setOptions(field<HTMLSelectElement>(this.form, 'spec'), catalog.specs.map((spec) => ({ value: spec.id, label: spec.title })));
    const level = field<HTMLSelectElement>(this.form, 'level');
    for (const name of catalog.levels) level.add(new Option(name, name));
    const explored = catalog.explore ? scenariosOf(catalog, catalog.explore).find((scenario) => scenario.name === 'counter') : undefined;
    if (explored) setOptions(field<HTMLSelectElement>(this.failing, 'mode'), explored.modes.map((mode) => ({ value: mode.name, label: mode.name })));
    else this.failing.hidden = true;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.open('/api/step/open', { spec: field(this.form, 'spec').value, level: level.value }, false);
    });
    this.failing.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.open('/api/step/failing', { scenario: 'counter', mode: field(this.failing, 'mode').value }, true);
    });
    this.play.addEventListener('click', () => void this.playAll());
    byId('step-sessions').addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.run-step');
      if (button?.dataset.session) void this.step(button.dataset.session);
    });
  }

  private async open(path: string, body: unknown, playAfter: boolean): Promise<void> {
    this.closed();
    setStatus(this.status, playAfter ? 'exploring interleavings…' : 'starting the sessions…');
    try {
      this.show(await post<StepView>(path, body));
      if (playAfter) await this.playAll();
    } catch (error) {
      setStatus(this.status, (error as Error).message, true);
    }
  }

  private async step(session: string): Promise<void> {
    try {
      this.show(await post<StepView>('/api/step/session', { session }));
    } catch (error) {
      setStatus(this.status, (error as Error).message, true);
    }
  }

  private async playAll(): Promise<void> {
    this.playing = true;
    this.play.disabled = true;
    try {
      for (;;) {
        const view = await post<StepView>('/api/step/play');
        this.show(view);
        if (view.toPlay === 0) break;
        await new Promise((done) => setTimeout(done, Number(this.play.dataset.pauseMs ?? PLAY_PAUSE_MS)));
      }
    } catch (error) {
      setStatus(this.status, (error as Error).message, true);
    } finally {
      this.playing = false;
    }
  }

  show(view: StepView): void {
    byId('step-about').textContent = `${view.about.title}: ${view.about.summary}${view.state.level ? ` (at ${view.state.level})` : ''}`;
    byId('step-sessions').innerHTML = sessionsHtml(view);
    byId('step-verdict').innerHTML = verdictHtml(view);
    byId('step-transcript').textContent = view.state.transcript;
    setStatus(this.status, describe(view));
    this.play.disabled = this.playing || view.toPlay === 0;
  }

  closed(): void {
    byId('step-sessions').innerHTML = '';
    byId('step-verdict').innerHTML = '';
    byId('step-about').textContent = '';
    setStatus(this.status, '');
    this.play.disabled = true;
  }
}
