import { InvalidOptionError } from '../errors.js';
import { tokenize } from './spec-tokens.js';
import type { Token } from './spec-tokens.js';

/**
 * PostgreSQL's isolation spec format (src/test/isolation/README in the PostgreSQL sources):
 *
 *   setup { SQL }            (any number; run before each permutation)
 *   teardown { SQL }
 *   session name
 *     setup { SQL }          (optional, on the session's connection)
 *     step name { SQL }      (one or more)
 *     teardown { SQL }       (optional)
 *   permutation step step(*) step(other_step) …   (none: every interleaving)
 *
 * `#` starts a comment; names may be "quoted" (`""` for a quote). Markers after a step of a
 * permutation: `(*)`, `(other)` and `(other notices N)` (see Blocker), several separated by commas.
 */
export interface SpecStep {
  readonly name: string;
  readonly session: string;
  readonly sql: string;
}

export interface SpecSession {
  readonly name: string;
  readonly setup: readonly string[];
  readonly steps: readonly SpecStep[];
  readonly teardown: readonly string[];
}

/** What holds a permutation step back from being reported complete, as the tester's markers say. */
export type Blocker =
  /** `(*)`: reported waiting as soon as it is sent. */
  | { readonly kind: 'once' }
  /** `(other)`: not complete while step `other` is still running in its session. */
  | { readonly kind: 'step'; readonly step: string }
  /** `(other notices N)`: not complete until `other`'s session sent N more notices. */
  | { readonly kind: 'notices'; readonly step: string; readonly count: number };

export interface PermutationStep {
  readonly step: string;
  readonly blockers: readonly Blocker[];
}

export interface Spec {
  readonly setup: readonly string[];
  readonly teardown: readonly string[];
  readonly sessions: readonly SpecSession[];
  /** As written in the file; empty when the file names none (then every interleaving runs). */
  readonly permutations: readonly (readonly PermutationStep[])[];
}

const KEYWORDS = ['setup', 'teardown', 'session', 'permutation', 'step', 'notices'];

/** Reads the tokens of one spec, keyword by keyword; a mistake names the file and line. */
class SpecParser {
  private at = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly origin: string,
  ) {}

  parse(): Spec {
    const spec: { setup: string[]; teardown: string[]; sessions: SpecSession[]; permutations: PermutationStep[][] } = { setup: [], teardown: [], sessions: [], permutations: [] };
    while (this.at < this.tokens.length) {
      const keyword = this.next();
      if (keyword.kind === 'word' && keyword.text === 'setup') spec.setup.push(this.sql('setup'));
      else if (keyword.kind === 'word' && keyword.text === 'teardown') spec.teardown.push(this.sql('teardown'));
      else if (keyword.kind === 'word' && keyword.text === 'session') spec.sessions.push(this.session());
      else if (keyword.kind === 'word' && keyword.text === 'permutation') spec.permutations.push(this.permutation(keyword));
      else this.fail(`expected setup, teardown, session or permutation, found '${keyword.text}'`, keyword);
    }
    if (spec.sessions.length === 0) throw new InvalidOptionError(`${this.origin}: the spec has no session`);
    return spec;
  }

  private fail(message: string, token = this.tokens[this.at]): never {
    throw new InvalidOptionError(`${this.origin}:${token?.line ?? 'end'}: ${message}`);
  }

  private next(): Token {
    return this.tokens[this.at++] ?? this.fail('the spec ends too early');
  }

  private sql(what: string): string {
    const token = this.next();
    return token.kind === 'sql' ? token.text : this.fail(`${what} needs a { SQL } block`, token);
  }

  private name(what: string): string {
    const token = this.next();
    return this.isName(token) ? token.text : this.fail(`${what} needs a name`, token);
  }

  /** A name: a quoted one, or a word that is not a keyword. */
  private isName(token: Token | undefined): token is Token {
    return token?.kind === 'name' || (token?.kind === 'word' && !KEYWORDS.includes(token.text));
  }

  private peekWord(text: string): boolean {
    const token = this.tokens[this.at];
    return token?.kind === 'word' && token.text === text;
  }

  private session(): SpecSession {
    const session = this.name('session');
    const setup: string[] = [];
    const teardown: string[] = [];
    const steps: SpecStep[] = [];
    for (;;) {
      if (this.peekWord('setup') || this.peekWord('teardown')) {
        const keyword = this.next().text;
        (keyword === 'setup' ? setup : teardown).push(this.sql(keyword));
      } else if (this.peekWord('step')) {
        this.at++;
        const step = this.name('step');
        steps.push({ name: step, session, sql: this.sql(`step ${step}`) });
      } else break;
    }
    if (steps.length === 0) this.fail(`session ${session} has no step`);
    return { name: session, setup, steps, teardown };
  }

  private blocker(step: string): Blocker {
    const marker = this.next();
    if (marker.text === '*' && marker.kind === 'punct') return { kind: 'once' };
    if (marker.kind !== 'word' && marker.kind !== 'name') this.fail(`unexpected '${marker.text}' in the markers of ${step}`, marker);
    if (!this.peekWord('notices')) return { kind: 'step', step: marker.text };
    this.at++;
    const count = this.next();
    if (!/^\d+$/.test(count.text)) this.fail(`'notices' needs a count in the markers of ${step}`, count);
    return { kind: 'notices', step: marker.text, count: Number(count.text) };
  }

  /** The markers in parentheses after a step of a permutation, if any. */
  private blockers(step: string): Blocker[] {
    if (this.tokens[this.at]?.text !== '(') return [];
    this.at++;
    const blockers = [this.blocker(step)];
    while (this.tokens[this.at]?.text === ',') {
      this.at++;
      blockers.push(this.blocker(step));
    }
    if (this.next().text !== ')') this.fail(`the markers of ${step} need a closing )`);
    return blockers;
  }

  private permutation(keyword: Token): PermutationStep[] {
    const permutation: PermutationStep[] = [];
    while (this.isName(this.tokens[this.at])) {
      const step = this.next().text;
      permutation.push({ step, blockers: this.blockers(step) });
    }
    if (permutation.length === 0) this.fail('a permutation needs at least one step', keyword);
    return permutation;
  }
}

/** Reads a spec; a mistake becomes an InvalidOptionError naming the file and line. */
export function parseSpec(source: string, origin = 'spec'): Spec {
  return checkNames(new SpecParser(tokenize(source, origin), origin).parse(), origin);
}

function checkNames(spec: Spec, origin: string): Spec {
  const steps = new Map<string, string>();
  for (const session of spec.sessions) {
    for (const step of session.steps) {
      if (steps.has(step.name)) throw new InvalidOptionError(`${origin}: step ${step.name} is defined twice`);
      steps.set(step.name, session.name);
    }
  }
  for (const permutation of spec.permutations) checkPermutation(permutation, steps, origin);
  return spec;
}

/** As the tester checks: known steps, and markers naming another session's step of the same permutation. */
function checkPermutation(permutation: readonly PermutationStep[], sessionOf: ReadonlyMap<string, string>, origin: string): void {
  for (const { step } of permutation) {
    if (!sessionOf.has(step)) throw new InvalidOptionError(`${origin}: permutation names an unknown step ${step}`);
  }
  const inPermutation = new Set(permutation.map(({ step }) => step));
  for (const { step, blockers } of permutation) {
    for (const blocker of blockers) {
      if (blocker.kind === 'once') continue;
      if (!inPermutation.has(blocker.step)) throw new InvalidOptionError(`${origin}: the marker of ${step} names ${blocker.step}, which is not in that permutation`);
      if (sessionOf.get(blocker.step) === sessionOf.get(step)) throw new InvalidOptionError(`${origin}: the marker of ${step} names ${blocker.step} of its own session`);
    }
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Steps no permutation line names, which the tester reports as `unused step name: NAME` (none when the file has no permutation lines). */
export function unusedSteps(spec: Spec): string[] {
  if (spec.permutations.length === 0) return [];
  const used = new Set(spec.permutations.flatMap((permutation) => permutation.map(({ step }) => step)));
  return spec.sessions.flatMap((session) => session.steps.map((step) => step.name)).filter((name) => !used.has(name)).sort();
}

/** A `--permutation "s1a s2a s1b(*)"` given on the command line, in the spec's own syntax. */
export function parsePermutation(text: string, spec: Spec, origin = '--permutation'): PermutationStep[] {
  const parsed = parseSpec(`${spec.sessions.map((session) => `session ${quote(session.name)} ${session.steps.map((step) => `step ${quote(step.name)} {}`).join(' ')}`).join('\n')}\npermutation ${text}`, origin);
  return [...(parsed.permutations[0] ?? [])];
}

/** Every interleaving of the sessions' steps that keeps each session's own order. */
export function allPermutations(spec: Spec, limit = 1000): PermutationStep[][] {
  const results: PermutationStep[][] = [];
  const walk = (positions: number[], so_far: PermutationStep[]) => {
    if (results.length > limit) return;
    let advanced = false;
    spec.sessions.forEach((session, index) => {
      const position = positions[index] ?? 0;
      const step = session.steps[position];
      if (!step) return;
      advanced = true;
      const nextPositions = [...positions];
      nextPositions[index] = position + 1;
      walk(nextPositions, [...so_far, { step: step.name, blockers: [] }]);
    });
    if (!advanced) results.push(so_far);
  };
  walk(spec.sessions.map(() => 0), []);
  if (results.length > limit) throw new InvalidOptionError(`the spec has more than ${limit} interleavings; name the ones to run with permutation lines or --permutation`);
  return results;
}
