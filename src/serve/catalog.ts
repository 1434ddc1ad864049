import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineNamed, resolveBase } from '../race/resolve.js';
import { InvalidOptionError } from '../errors.js';
import { ANOMALIES, anomalySpec } from '../isolation/anomalies.js';
import { LEVELS } from '../isolation/levels.js';
import type { PermutationOutcome } from '../isolation/outcome.js';
import { parseSpec } from '../isolation/spec.js';
import type { Spec } from '../isolation/spec.js';
import type { SpecEngineName } from '../isolation/spec-engine.js';
import { scenarioListJson } from '../report/format-list.js';

/** What `race-rig serve` was started with: the only things the page can ever run. */
export interface ServeConfig {
  /** The server the page's races and step-throughs use (PostgreSQL or MySQL); SQLite needs none. */
  readonly engine: SpecEngineName;
  /** Its URL, password included: handed to the runs, never to the page. */
  readonly db: string;
  /** Scenario modules given on the command line (absolute paths). */
  readonly modules: readonly string[];
  /** Every spec file the page lists, by the index in its id (`file:N`): the shipped examples, then those given on the command line. */
  readonly specFiles: readonly string[];
}

/** One spec the page may step through, by the id it sends. */
export interface CatalogSpec {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
}

/** Everything the page offers, sent as JSON: engines, their scenarios and modes, specs and levels. */
export interface Catalog {
  readonly engines: readonly { readonly name: string; readonly gate: boolean; readonly timeline: boolean; readonly scenarios: unknown }[];
  readonly specs: readonly CatalogSpec[];
  readonly levels: readonly string[];
  /** The engine `explore` runs on, for "show me a failing interleaving" (PostgreSQL only), or null. */
  readonly explore: string | null;
}

/** A spec resolved from its id: parsed, and the judgement that says whether its anomaly occurred. */
export interface ChosenSpec extends CatalogSpec {
  readonly spec: Spec;
  readonly judge?: (outcome: PermutationOutcome) => boolean;
}

/** The shipped example specs, beside dist/ in the package (examples/specs; InnoDB's in innodb/). */
const EXAMPLE_SPECS = fileURLToPath(new URL('../examples/specs/', import.meta.url));

/** The spec files the page lists: the shipped examples of the engine, then `given`. */
export async function listedSpecFiles(engine: SpecEngineName, given: readonly string[]): Promise<string[]> {
  const folder = engine === 'mysql' ? join(EXAMPLE_SPECS, 'innodb') : EXAMPLE_SPECS;
  const names = await readdir(folder).catch(() => [] as string[]);
  return [...names.filter((name) => name.endsWith('.spec')).sort().map((name) => join(folder, name)), ...given];
}

/** The engines the page offers: the served one, and SQLite, which needs no server. */
export function servedEngines(engine: SpecEngineName): string[] {
  return [engine, 'sqlite'];
}

/** An engine's built-in scenarios and the modules that load on it (a module's SQL is one engine's), as `race-rig list --json` lists them. */
async function scenariosOf(engineName: string, modules: readonly string[]): Promise<{ listed: unknown; loaded: string[] }> {
  const engine = engineNamed(engineName);
  const loaded = (
    await Promise.all(modules.map((path) => resolveBase({ engine: engineName, scenario: path }).then((base) => ({ engine: engineName, scenario: { ...base.scenario, name: path } }), () => null)))
  ).filter((entry) => entry !== null);
  const builtIn = Object.values(engine.scenarios).map((scenario) => ({ engine: engineName, scenario }));
  return { listed: scenarioListJson([...builtIn, ...loaded]), loaded: loaded.map((entry) => entry.scenario.name) };
}

function firstComment(source: string): string {
  return /^#\s*(.*)$/m.exec(source)?.[1] ?? '';
}

/**
 * The catalog, built once at start-up (what serve offers does not change while it runs). A module
 * that loads on none of the page's engines fails here, with the reason it fails on the served one.
 */
export async function buildCatalog(config: Omit<ServeConfig, 'db'>): Promise<Catalog> {
  const engines = await Promise.all(
    servedEngines(config.engine).map(async (name) => {
      const engine = engineNamed(name);
      return { name, gate: Object.hasOwn(engine.options, 'gate'), timeline: Object.hasOwn(engine.options, 'timeline'), ...(await scenariosOf(name, config.modules)) };
    }),
  );
  for (const module of config.modules) if (!engines.some((engine) => engine.loaded.includes(module))) await resolveBase({ engine: config.engine, scenario: module });
  const fileSpecs = await Promise.all(
    config.specFiles.map(async (file, index) => ({ id: `file:${index}`, title: basename(file), summary: firstComment(await readFile(file, 'utf8').catch(() => '')) })),
  );
  const anomalies = ANOMALIES.map((anomaly) => ({ id: `anomaly:${anomaly.id}`, title: `${anomaly.id}: ${anomaly.name}`, summary: anomaly.summary }));
  return {
    engines: engines.map(({ name, gate, timeline, listed }) => ({ name, gate, timeline, scenarios: listed })),
    specs: [...anomalies, ...fileSpecs],     levels: Object.keys(LEVELS),
    explore: config.engine === 'postgres' ? 'postgres' : null,
  };
}

/** The spec a page's id names: a built-in anomaly or one of the listed files; anything else is refused. */
export async function chosenSpec(config: Pick<ServeConfig, 'engine' | 'specFiles'>, id: string): Promise<ChosenSpec> {
  const anomaly = ANOMALIES.find((candidate) => `anomaly:${candidate.id}` === id);
  if (anomaly) {
    const spec = parseSpec(anomalySpec(anomaly, config.engine), `the ${anomaly.id} spec`);
    return { id, title: `${anomaly.id}: ${anomaly.name}`, summary: anomaly.summary, spec, judge: (outcome) => anomaly.occurred(outcome) };
  }
  const file = /^file:(\d+)$/.exec(id) ? config.specFiles[Number(id.slice('file:'.length))] : undefined;
  if (file === undefined) throw new InvalidOptionError(`there is no spec '${id}' here`);
  const source = await readFile(file, 'utf8');
  return { id, title: basename(file), summary: firstComment(source), spec: parseSpec(source, basename(file)) };
}
