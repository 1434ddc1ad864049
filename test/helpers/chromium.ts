import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

const run = promisify(execFile);
const INSTALL = fileURLToPath(new URL('../../scripts/install-chromium.sh', import.meta.url));

async function onPath(name: string): Promise<string | null> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${name}`]);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/**
 * Debian's chromium (never a browser downloaded by a test tool): $CHROMIUM_PATH, else on the
 * PATH, else installed by scripts/install-chromium.sh (as root, with apt-get).
 */
export async function findChromium(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const found = (await onPath('chromium')) ?? (await onPath('chromium-browser'));
  if (found) return found;
  try {
    await run('bash', [INSTALL], { timeout: 600_000 });
  } catch (error) {
    throw new Error(`no chromium on the PATH and ${INSTALL} could not install it (set CHROMIUM_PATH): ${String(error)}`);
  }
  const installed = await onPath('chromium');
  if (!installed) throw new Error(`${INSTALL} ran but chromium is still not on the PATH`);
  return installed;
}

/** Headless, sandbox off (the tests may run as root), nothing that reaches the network on its own. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await findChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
