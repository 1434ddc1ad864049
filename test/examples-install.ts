import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The example applications that are packages of their own, with a lock file. */
const PACKAGES = [fileURLToPath(new URL('../examples/wallet-service/', import.meta.url))];

/**
 * Installs each example package from its lock file unless it already is: the tests race them, and
 * the docs test resolves the command lines that name them.
 */
export function installExamples(): void {
  for (const dir of PACKAGES) {
    if (!existsSync(`${dir}node_modules/.package-lock.json`)) execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', dir], { stdio: 'ignore' });
  }
}
