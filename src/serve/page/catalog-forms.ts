import type { Catalog } from '../catalog.js';
import { field, setOptions } from './dom.js';

export interface ListedMode {
  readonly name: string;
  readonly summary: string;
  readonly outcome: 'race' | 'correct';
}

export interface ListedScenario {
  readonly name: string;
  readonly summary: string;
  readonly unit: string;
  readonly modes: readonly ListedMode[];
}

export function scenariosOf(catalog: Catalog, engine: string): readonly ListedScenario[] {
  return (catalog.engines.find((candidate) => candidate.name === engine)?.scenarios ?? []) as readonly ListedScenario[];
}

export function scenarioOf(catalog: Catalog, form: HTMLFormElement): ListedScenario | undefined {
  const engine = field<HTMLSelectElement>(form, 'engine').value;
  const scenario = field<HTMLSelectElement>(form, 'scenario').value;
  return scenariosOf(catalog, engine).find((candidate) => candidate.name === scenario);
}

/** Fills a race form's choices from the catalog, and again whenever its engine or scenario changes. */
export function bindRaceForm(form: HTMLFormElement, catalog: Catalog, onChange: () => void): void {
  const engine = field<HTMLSelectElement>(form, 'engine');
  const scenario = field<HTMLSelectElement>(form, 'scenario');
  const mode = form.elements.namedItem('mode') as HTMLSelectElement | null;
  const refresh = () => {
    const offered = catalog.engines.find((candidate) => candidate.name === engine.value);
    setOptions(scenario, scenariosOf(catalog, engine.value).map((listed) => ({ value: listed.name, label: listed.name.split('/').at(-1) ?? listed.name })));
    const chosen = scenarioOf(catalog, form);
    if (mode) setOptions(mode, (chosen?.modes ?? []).map((listed) => ({ value: listed.name, label: `${listed.name} (${listed.outcome === 'race' ? 'RACE' : 'CORRECT'})` })));
    for (const name of ['gate', 'timeline']) {
      const box = form.elements.namedItem(name) as HTMLInputElement | null;
      if (box) box.disabled = !offered?.[name as 'gate' | 'timeline'];
    }
    for (const label of form.querySelectorAll('.unit-label')) label.textContent = `${chosen?.unit ?? 'operation'}s`.replace(/^./, (first) => first.toUpperCase());
    onChange();
  };
  setOptions(engine, catalog.engines.map((offered) => ({ value: offered.name, label: offered.name })));
  engine.addEventListener('change', refresh);
  scenario.addEventListener('change', refresh);
  mode?.addEventListener('change', onChange);
  refresh();
}

/** What a race form sends: only the fields the server takes, the boxes only where the engine has them. */
export function raceRequest(form: HTMLFormElement): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const name of ['engine', 'scenario', 'mode', 'workers', 'increments']) {
    const input = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (input && input.value !== '') request[name] = input instanceof HTMLInputElement && input.type === 'number' ? Number(input.value) : input.value;
  }
  for (const name of ['gate', 'timeline']) {
    const box = form.elements.namedItem(name) as HTMLInputElement | null;
    if (box && !box.disabled) request[name] = box.checked;
  }
  return request;
}
