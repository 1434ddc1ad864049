// Takes the screenshots in docs/classroom.md: starts `race-rig serve` (a throwaway PostgreSQL),
// drives its page in Debian's Chromium through playwright-core, saves docs/images/serve-*.png,
// and stops the server with Ctrl-C. Run after `npm run build`: node scripts/serve-screenshots.mjs
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const rig = spawn(process.execPath, ['dist/rig.js', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  rig.stdout.on('data', (chunk) => {
    out += chunk;
    const found = /open (http:\/\/\S+)/.exec(out);
    if (found) resolve(found[1]);
  });
  rig.on('exit', (code) => reject(new Error(`race-rig serve exited with ${code}`)));
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const shot = (name) => page.screenshot({ path: `docs/images/serve-${name}.png`, fullPage: true });
  await page.goto(url);
  await page.waitForSelector('#connection:text("live")');

  await page.selectOption('#run-form select[name=mode]', 'lost');
  await page.fill('#run-form input[name=workers]', '20');
  await page.fill('#run-form input[name=increments]', '20');
  await page.click('#run-button');
  await page.waitForSelector('#verdict', { timeout: 60_000 });
  await shot('run');

  await page.click('button[data-tab=compare]');
  await page.fill('#compare-form input[name=workers]', '20');
  await page.click('#compare-button');
  await page.waitForSelector('#compare-status:text("documented")', { timeout: 300_000 });
  await shot('compare');

  await page.click('button[data-tab=step]');
  await page.selectOption('#step-form select[name=spec]', 'anomaly:P4');
  await page.selectOption('#step-form select[name=level]', 'read-committed');
  await page.click('#step-open');
  await page.waitForSelector('#step-about:text("P4")');
  for (const session of ['t1', 't2', 't1', 't2', 't1', 't2']) {
    await page.click(`button.run-step[data-session=${session}]`);
    await page.waitForTimeout(400);
  }
  await shot('step-waiting');
  await page.selectOption('#step-form select[name=level]', 'repeatable-read');
  await page.click('#step-open');
  await page.waitForSelector('#step-about:text("repeatable-read")');
  await page.click('#step-play:not([disabled])');
  await page.waitForSelector('#step-outcome', { timeout: 60_000 });
  await shot('step-40001');
} finally {
  await browser.close();
  rig.kill('SIGINT');
}
