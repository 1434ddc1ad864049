import { readFile } from 'node:fs/promises';

/** The page's files, built beside the CLI (dist/page/): served from memory, nothing else from disk. */
const PAGE = new URL('./page/', import.meta.url);

const FILES = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
} as const;

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

export async function loadAssets(): Promise<Map<string, Asset>> {
  const entries = await Promise.all(Object.entries(FILES).map(async ([path, { file, type }]) => [path, { type, body: await readFile(new URL(file, PAGE)) }] as const));
  return new Map(entries);
}
