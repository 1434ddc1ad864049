import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface MarkdownFile {
  readonly path: string;
  readonly text: string;
}

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? markdownUnder(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
  );
}

/** README.md and every Markdown file under docs/. */
export function docs(): MarkdownFile[] {
  return [join(ROOT, 'README.md'), ...markdownUnder(join(ROOT, 'docs'))].map((file) => ({ path: relative(ROOT, file), text: readFileSync(file, 'utf8') }));
}

export function codeBlocks(text: string, language?: string): string[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].filter((match) => language === undefined || match[1] === language).map((match) => match[2] ?? '');
}

/** The text outside code blocks. */
export function prose(text: string): string {
  return text.replace(/^```\w*\n[\s\S]*?^```/gm, '');
}

/** Splits a shell command line into words, honouring quotes (enough for the docs' examples). */
export function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** Every race-rig command line in the ```sh blocks, as the words after the program. */
export function rigCommands(text: string): { line: string; args: string[] }[] {
  const commands: { line: string; args: string[] }[] = [];
  for (const block of codeBlocks(text, 'sh')) {
    for (const rawLine of block.split('\n')) {
      const line = rawLine.replace(/\s+#.*$/, '').replace(/^\$ /, '');
      for (const segment of line.split(/&&|;|\|/)) {
        const words = shellWords(segment.trim()).filter((word, index, all) => !(/^[A-Z_]+=/.test(word) && all.slice(0, index).every((before) => /^[A-Z_]+=/.test(before))));
        // `node [node's own flags] dist/rig.js …`, `race-rig …` or `npx race-rig …`.
        const rigAt = words[0] === 'node' ? words.indexOf('dist/rig.js') : -1;
        const afterNode = rigAt > 0 && words.slice(1, rigAt).every((word) => word.startsWith('-')) ? rigAt + 1 : -1;
        const start = afterNode > 0 ? afterNode : words[0] === 'race-rig' ? 1 : words[0] === 'npx' && words[1] === 'race-rig' ? 2 : -1;
        if (start >= 0) commands.push({ line: rawLine.trim(), args: words.slice(start) });
      }
    }
  }
  return commands;
}

/** The rows of the first Markdown table after `heading`, as their cells. */
export function tableAfter(text: string, heading: RegExp): string[][] {
  const at = text.search(heading);
  if (at < 0) return [];
  const lines = text.slice(at).split('\n').slice(1);
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}
