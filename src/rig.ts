#!/usr/bin/env node
import { main } from './cli/main.js';
import { AbortedError } from './errors.js';

// The first Ctrl-C (or SIGTERM) aborts the run, which tears everything down and exits 130/143;
// a second one exits at once (the process's exit hook and the watchdog still clean up).
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(new AbortedError(signal));
  });
}

// A reader that went away (`race-rig … | head`) is not the rig's failure: stop writing, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// Node prints a library's process warnings (node-postgres' ten lines about sslmode, say) on
// stderr, where the rig promises one line per problem: they are shown with --verbose only.
const verbose = process.argv.includes('--verbose');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (verbose) process.stderr.write(`race-rig: warning: ${warning.message.split('\n')[0]}\n`);
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
