import { defaultShown } from '../options/define.js';
import type { Command, OptionSpec } from '../options/define.js';
import { allOptions, engineOf } from './options.js';

/** docs/reference/flags.md holds the table between these lines; `npm run docs` writes it, a test compares it. */
export const FLAGS_TABLE_BEGIN = '<!-- BEGIN FLAGS TABLE: written by `npm run docs` from the option tables; do not edit by hand -->';
export const FLAGS_TABLE_END = '<!-- END FLAGS TABLE -->';

const COMMAND_LABELS: Record<Command, string> = { run: 'race', compare: 'compare', explore: 'explore', list: 'list', spec: 'spec', isolation: 'isolation', serve: 'serve' };

function usage(spec: OptionSpec): string {
  const alias = spec.alias ? `-${spec.alias}, ` : '';
  switch (spec.type) {
    case 'boolean':
      return spec.default === false ? `${alias}--${spec.flag}` : `--${spec.flag}, --no-${spec.flag}`;
    case 'number':
      return `${alias}--${spec.flag} N`;
    case 'pairs':
      return `${alias}--${spec.flag} KEY=VALUE`;
    case 'list':
      return `${alias}--${spec.flag} TEXT`;
    default:
      return `${alias}--${spec.flag} ${spec.choices ? spec.choices.join('\\|') : 'VALUE'}`;
  }
}

function meaning(spec: OptionSpec): string {
  const range = spec.type === 'number' ? ` (${spec.min} to ${spec.max === Number.MAX_SAFE_INTEGER ? 'any' : new Intl.NumberFormat('en-US').format(spec.max)})` : '';
  return `${spec.describe}${range}`;
}

function goesWith(key: string, spec: OptionSpec): string {
  const engine = engineOf(key);
  return `${spec.commands.map((command) => COMMAND_LABELS[command]).join(', ')}${engine ? ` (${engine})` : ''}`;
}

/** The flags table of the docs, one row per option, from the option tables. */
export function flagsTable(): string {
  const rows = allOptions().map(([key, spec]) => `| \`${usage(spec)}\` | ${defaultShown(spec) ?? ''} | ${goesWith(key, spec)} | ${meaning(spec).replaceAll('|', '\\|')} |`);
  return ['| flag | default | goes with | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
