// Bundles the CLI, the library entry and the worker into dist/ side by side (one file each, no
// shared chunks), so that dist/rig.js is the CLI and every bundle finds dist/race-worker.js next to it.
// Type-checking is `tsc --noEmit` (see the build script in package.json); dependencies stay external.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    rig: 'src/rig.ts',
    index: 'src/index.ts',
    'race-worker': 'workers/race-worker.ts',
    bench: 'scripts/bench.ts',
  },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
