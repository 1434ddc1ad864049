import { InvalidOptionError } from '../errors.js';

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
 * `#` starts a comment; names may be "quoted". A step marked `(*)` counts as blocked as soon as
 * it is sent; one marked `(other, …)` counts as blocked until those steps completed.
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

export interface PermutationStep {
  readonly step: string;
  /** `(*)`: blocked from the moment it is sent. */
  readonly blockedAtOnce: boolean;
  /** `(a, b)`: blocked until these steps completed. */
  readonly blockers: readonly string[];
}

export interface Spec {
  readonly setup: readonly string[];
  readonly teardown: readonly string[];
  readonly sessions: readonly SpecSession[];
  /** As written in the file; empty when the file names none (then every interleaving runs). */
  readonly permutations: readonly (readonly PermutationStep[])[];
}

type Token = { readonly kind: 'word' | 'sql' | 'punct'; readonly text: string; readonly line: number };

function tokenize(source: string, origin: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  for (let at = 0; at < source.length; ) {
    const char = source[at] ?? '';
    if (char === '\n') line++;
    if (/\s/.test(char)) {
      at++;
    } else if (char === '#') {
      while (at < source.length && source[at] !== '\n') at++;
    } else if (char === '{') {
      const end = source.indexOf('}', at);
      if (end < 0) throw new InvalidOptionError(`${origin}:${line}: a { SQL block is never closed with }`);
      const text = source.slice(at + 1, end);
      tokens.push({ kind: 'sql', text: text.trim(), line });
      line += (text.match(/\n/g) ?? []).length;
      at = end + 1;
    } else if (char === '(' || char === ')' || char === ',' || char === '*') {
      tokens.push({ kind: 'punct', text: char, line });
      at++;
    } else if (char === '"') {
      const end = source.indexOf('"', at + 1);
      if (end < 0) throw new InvalidOptionError(`${origin}:${line}: a "quoted name is never closed`);
      tokens.push({ kind: 'word', text: source.slice(at + 1, end), line });
      at = end + 1;
    } else {
      const word = /^[^\s{}()",*#]+/.exec(source.slice(at))?.[0] ?? char;
      tokens.push({ kind: 'word', text: word, line });
      at += word.length;
    }
  }
  return tokens;
}

const KEYWORDS = ['setup', 'teardown', 'session', 'permutation'];

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
    return token.kind === 'word' ? token.text : this.fail(`${what} needs a name`, token);
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

  /** `(*)` or `(other, …)` after a step of a permutation. */
  private markers(step: string): { blockedAtOnce: boolean; blockers: string[] } {
    const markers = { blockedAtOnce: false, blockers: [] as string[] };
    if (this.tokens[this.at]?.text !== '(') return markers;
    this.at++;
    while (this.tokens[this.at]?.text !== ')') {
      const marker = this.next();
      if (marker.text === '*') markers.blockedAtOnce = true;
      else if (marker.kind === 'word') markers.blockers.push(marker.text);
      else if (marker.text !== ',') this.fail(`unexpected '${marker.text}' in the markers of ${step}`, marker);
    }
    this.at++;
    return markers;
  }

  private permutation(keyword: Token): PermutationStep[] {
    const permutation: PermutationStep[] = [];
    while (this.tokens[this.at]?.kind === 'word' && !KEYWORDS.includes(this.tokens[this.at]?.text ?? '')) {
      const step = this.next().text;
      permutation.push({ step, ...this.markers(step) });
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
  for (const permutation of spec.permutations) {
    for (const { step, blockers } of permutation) {
      for (const named of [step, ...blockers]) {
        if (!steps.has(named)) throw new InvalidOptionError(`${origin}: permutation names an unknown step ${named}`);
      }
    }
  }
  return spec;
}

/** A `--permutation "s1a s2a s1b(*)"` given on the command line, in the spec's own syntax. */
export function parsePermutation(text: string, spec: Spec, origin = '--permutation'): PermutationStep[] {
  const parsed = parseSpec(`${spec.sessions.map((session) => `session "${session.name}" ${session.steps.map((step) => `step "${step.name}" {}`).join(' ')}`).join('\n')}\npermutation ${text}`, origin);
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
      walk(nextPositions, [...so_far, { step: step.name, blockedAtOnce: false, blockers: [] }]);
    });
    if (!advanced) results.push(so_far);
  };
  walk(spec.sessions.map(() => 0), []);
  if (results.length > limit) throw new InvalidOptionError(`the spec has more than ${limit} interleavings; name the ones to run with permutation lines or --permutation`);
  return results;
}
