/**
 * `npm run docs`: writes the flags table of docs/reference/flags.md from the option tables (the
 * one place every option is declared). test/unit/docs.test.ts fails when the two differ.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { FLAGS_TABLE_BEGIN, FLAGS_TABLE_END, flagsTable } from '../src/cli/flags-table.js';

const file = new URL('../docs/reference/flags.md', import.meta.url);
const text = await readFile(file, 'utf8');
const begin = text.indexOf(FLAGS_TABLE_BEGIN);
const end = text.indexOf(FLAGS_TABLE_END);
if (begin < 0 || end < begin) throw new Error(`docs/reference/flags.md needs the lines ${FLAGS_TABLE_BEGIN} and ${FLAGS_TABLE_END}`);
await writeFile(file, `${text.slice(0, begin + FLAGS_TABLE_BEGIN.length)}\n${flagsTable()}\n${text.slice(end)}`);
process.stdout.write('docs/reference/flags.md: flags table written\n');
