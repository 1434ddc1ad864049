// Bundles the CLI, the library entry and the worker into dist/ side by side (one file each, no
// shared chunks), so that dist/rig.js is the CLI and every bundle finds dist/race-worker.js next to it.
// Type-checking is `tsc --noEmit` (see the build script in package.json).
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';

const common = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { rig: 'src/rig.ts', index: 'src/index.ts', bench: 'scripts/bench.ts', docs: 'scripts/docs.ts', profile: 'scripts/profile.ts', 'process-host': 'workers/process-host.ts' },
  packages: 'external',
});
// Every one of up to a thousand threads loads the worker: one file with its dependencies inside
// loads much faster than pg's few dozen modules resolved and read one by one in each thread.
await build({
  ...common,
  entryPoints: { 'race-worker': 'workers/race-worker.ts', 'spec-session': 'workers/spec-session.ts' },
  // Optional parts of pg, and the native addons of the SQLite engine (loaded only when used).
  external: ['pg-native', 'pg-cloudflare', 'better-sqlite3', 'fs-native-extensions', 'os-lock'],
  // The bundled CommonJS dependencies call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
// race-rig serve's page: one script for the browser (it draws with the HTML report's own SVG
// code), its HTML and CSS beside it in dist/page/; nothing is fetched from anywhere else.
await build({
  ...common,
  entryPoints: { 'page/app': 'src/serve/page/app.ts' },
  platform: 'browser',
  target: 'es2022',
});
await mkdir(new URL('../dist/page', import.meta.url), { recursive: true });
for (const file of ['index.html', 'style.css']) await copyFile(new URL(`../src/serve/page/${file}`, import.meta.url), new URL(`../dist/page/${file}`, import.meta.url));
