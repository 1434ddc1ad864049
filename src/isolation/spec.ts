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

/** Reads a spec; a mistake becomes an InvalidOptionError naming the file and line. */
export function parseSpec(source: string, origin = 'spec'): Spec {
  const tokens = tokenize(source, origin);
  let at = 0;
  const fail = (message: string, token = tokens[at]): never => {
    throw new InvalidOptionError(`${origin}:${token?.line ?? 'end'}: ${message}`);
  };
  const next = () => tokens[at++] ?? fail('the spec ends too early');
  const sql = (what: string) => {
    const token = next();
    return token.kind === 'sql' ? token.text : fail(`${what} needs a { SQL } block`, token);
  };
  const name = (what: string) => {
    const token = next();
    return token.kind === 'word' ? token.text : fail(`${what} needs a name`, token);
  };
  const peekWord = (text: string) => tokens[at]?.kind === 'word' && tokens[at]?.text === text;

  const setup: string[] = [];
  const teardown: string[] = [];
  const sessions: SpecSession[] = [];
  const permutations: PermutationStep[][] = [];
  while (at < tokens.length) {
    const keyword = next();
    if (keyword.kind !== 'word') fail(`expected setup, teardown, session or permutation, found '${keyword.text}'`, keyword);
    if (keyword.text === 'setup') setup.push(sql('setup'));
    else if (keyword.text === 'teardown') teardown.push(sql('teardown'));
    else if (keyword.text === 'session') {
      const session = name('session');
      const sessionSetup: string[] = [];
      const sessionTeardown: string[] = [];
      const steps: SpecStep[] = [];
      for (;;) {
        if (peekWord('setup')) {
          at++;
          sessionSetup.push(sql('setup'));
        } else if (peekWord('teardown')) {
          at++;
          sessionTeardown.push(sql('teardown'));
        } else if (peekWord('step')) {
          at++;
          const step = name('step');
          steps.push({ name: step, session, sql: sql(`step ${step}`) });
        } else break;
      }
      if (steps.length === 0) fail(`session ${session} has no step`);
      sessions.push({ name: session, setup: sessionSetup, steps, teardown: sessionTeardown });
    } else if (keyword.text === 'permutation') {
      const permutation: PermutationStep[] = [];
      while (tokens[at]?.kind === 'word' && !['setup', 'teardown', 'session', 'permutation'].includes(tokens[at]?.text ?? '')) {
        const step = next().text;
        let blockedAtOnce = false;
        const blockers: string[] = [];
        if (tokens[at]?.text === '(') {
          at++;
          while (tokens[at]?.text !== ')') {
            const marker = next();
            if (marker.text === '*') blockedAtOnce = true;
            else if (marker.kind === 'word') blockers.push(marker.text);
            else if (marker.text !== ',') fail(`unexpected '${marker.text}' in the markers of ${step}`, marker);
          }
          at++;
        }
        permutation.push({ step, blockedAtOnce, blockers });
      }
      if (permutation.length === 0) fail('a permutation needs at least one step', keyword);
      permutations.push(permutation);
    } else fail(`expected setup, teardown, session or permutation, found '${keyword.text}'`, keyword);
  }
  if (sessions.length === 0) throw new InvalidOptionError(`${origin}: the spec has no session`);
  return checkNames({ setup, teardown, sessions, permutations }, origin);
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
