/**
 * `node dist/profile.js DIR`: sums the samples of the .cpuprofile files that `node --cpu-prof
 * --cpu-prof-dir=DIR dist/rig.js …` wrote (one per thread), by where the time went: a package, a
 * file of the rig (through the bundles' source maps), Node's internals, garbage collection, idle.
 * `--threads workers` leaves out the main thread's profile. See docs/performance.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapOf(url: string): SourceMap | null {
  if (!maps.has(url)) {
    try {
      maps.set(url, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8'))));
    } catch {
      maps.set(url, null);
    }
  }
  return maps.get(url) ?? null;
}

/** Where a sample's time went: `npm pg`, `src/…`, `node: internal`, `(garbage collector)`, `native writev`. */
function categoryOf({ url, functionName, lineNumber, columnNumber }: CallFrame): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const source = url.startsWith('file:') ? (sourceMapOf(url)?.findEntry(lineNumber, columnNumber) as { originalSource?: string } | undefined)?.originalSource ?? url : url;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (dependency) return `npm ${dependency[1]}`;
  return /(src|workers|scripts)\/.*$/.exec(source)?.[0] ?? source;
}

/** Milliseconds of samples per category, over every profile given. */
function summarize(profiles: readonly CpuProfile[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, at) => {
      const node = nodes.get(id);
      if (!node) return;
      const category = categoryOf(node.callFrame);
      totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[at] ?? 0) / 1000);
    });
  }
  return totals;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node dist/profile.js DIR [--threads workers]  (DIR: the --cpu-prof-dir of a run)\n');
    process.exit(2);
  }
  const workersOnly = process.argv.includes('workers');
  // Node names a thread's profile CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile; thread 0 is the main thread.
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile') && !(workersOnly && /\.\d+\.0\.\d+\.cpuprofile$/.test(name)));
  const totals = summarize(files.map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile));
  const all = [...totals.values()].reduce((sum, ms) => sum + ms, 0);
  process.stdout.write(`${files.length} profiles, ${all.toFixed(0)} ms of samples\n`);
  for (const [category, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}%  ${category}\n`);
  }
}

main();
