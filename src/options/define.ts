import { InvalidOptionError } from '../errors.js';

/**
 * Every option is declared once, as an entry of an option table: the key is its name in the API
 * (`barrierTimeoutMs`), `flag` its name on the command line (`--barrier-timeout`). The tables
 * feed yargs and `--help` (src/cli/parse.ts), the option types (OptionValues), the checks
 * (checkNumber, checkChoice), the options echoed in every result, and the flags table in
 * docs/reference/flags.md (a test compares the two).
 */

/** The commands of the CLI; an option says which of them take it. */
export const COMMANDS = ['run', 'compare', 'explore', 'list', 'spec', 'isolation', 'serve'] as const;
export type Command = (typeof COMMANDS)[number];

interface OptionBase {
  readonly flag: string;
  readonly alias?: string;
  /** One line for --help and the docs. */
  readonly describe: string;
  /** How --help and the docs show the default when it is not a plain value ("30000 + 60 per worker"). */
  readonly defaultText?: string;
  readonly commands: readonly Command[];
  /** false: not repeated in `result.options` (a URL with a password, say). */
  readonly echo?: false;
}

export interface NumberOption extends OptionBase {
  readonly type: 'number';
  readonly default?: number;
  /** Whole numbers from min to max; the CLI refuses anything else, quoting what was typed. */
  readonly min: number;
  readonly max: number;
}

export interface StringOption<Choice extends string = string> extends OptionBase {
  readonly type: 'string';
  readonly default?: Choice;
  readonly choices?: readonly Choice[];
}

export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** A flag that may be repeated (`--permutation "a b" --permutation "b a"`). */
export interface ListOption extends OptionBase {
  readonly type: 'list';
}

/** Repeated `key=value` flags (`--param a=1 --param b=2`); in the API, an object. */
export interface PairsOption extends OptionBase {
  readonly type: 'pairs';
}

export type OptionSpec = NumberOption | StringOption | BooleanOption | ListOption | PairsOption;
export type OptionTable = Readonly<Record<string, OptionSpec>>;

type ValueOf<Spec> = Spec extends NumberOption
  ? number
  : Spec extends BooleanOption
    ? boolean
    : Spec extends ListOption
      ? readonly string[]
      : Spec extends PairsOption
        ? Readonly<Record<string, string>>
        : Spec extends { readonly choices: readonly (infer Choice)[] }
          ? Choice
          : Spec extends StringOption
            ? string
            : never;

/** The values a table's options take, each optional: what a caller may pass. */
export type OptionValues<Table extends OptionTable> = { readonly [Key in keyof Table]?: ValueOf<Table[Key]> };

/** The values after checking: an option with a default always has a value. */
export type ResolvedValues<Table extends OptionTable> = {
  readonly [Key in keyof Table]: Table[Key] extends { readonly default: unknown } ? ValueOf<Table[Key]> : ValueOf<Table[Key]> | undefined;
};

/** Declares a table, keeping each entry's literal types (choices) for OptionValues. */
export function optionTable<const Table extends OptionTable>(table: Table): Table {
  return table;
}

export const RACE_COMMANDS: readonly Command[] = ['run', 'compare', 'explore'];
/** The commands that release all workers at once (explore schedules them one statement at a time). */
export const RELEASE_COMMANDS: readonly Command[] = ['run', 'compare'];

/** The value as a user would type it, for messages: `'10abc'` from the command line, `NaN` from code. */
function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** A whole number within the option's range, from the command line (a string) or from code (a number). */
export function checkNumber(spec: Pick<NumberOption, 'flag' | 'min' | 'max'>, value: unknown, max = spec.max): number {
  const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isInteger(number) || number < spec.min || number > max) {
    throw new InvalidOptionError(`--${spec.flag} must be a whole number from ${spec.min} to ${max} (got ${shown(value)})`);
  }
  return number;
}

export function checkChoice<Choice extends string>(spec: StringOption<Choice>, value: unknown): Choice {
  const choices = spec.choices ?? [];
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new InvalidOptionError(`--${spec.flag} must be one of: ${choices.join(', ')} (got ${shown(value)})`);
  }
  return value as Choice;
}

/** `key=value` pairs from the command line, as an object. */
export function checkPairs(spec: Pick<PairsOption, 'flag'>, pairs: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(pair);
    if (!match?.[1]) throw new InvalidOptionError(`--${spec.flag} must look like key=value (got '${pair}')`);
    values[match[1]] = match[2] ?? '';
  }
  return values;
}

function checkValue(spec: OptionSpec, value: unknown): unknown {
  switch (spec.type) {
    case 'number':
      return checkNumber(spec, value);
    case 'string':
      if (spec.choices) return checkChoice(spec, value);
      if (typeof value !== 'string') throw new InvalidOptionError(`--${spec.flag} must be text (got ${shown(value)})`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidOptionError(`--${spec.flag} is on or off (got ${shown(value)})`);
      return value;
    default:
      return value;
  }
}

/** Every option of the table checked against its declaration, with its default where it has one. */
export function resolveValues<Table extends OptionTable>(table: Table, given: Readonly<Record<string, unknown>>): ResolvedValues<Table> {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const value = given[key];
    values[key] = value === undefined ? (spec as { default?: unknown }).default : checkValue(spec, value);
  }
  return values as ResolvedValues<Table>;
}

/** Whether a value counts as given: absent, off and zero are what a flag left out means. */
export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== false && value !== 0;
}

/** The default as --help and the docs show it. */
export function defaultShown(spec: OptionSpec): string | undefined {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.type === 'list' || spec.type === 'pairs' || spec.default === undefined) return undefined;
  return String(spec.default);
}
