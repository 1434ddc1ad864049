import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { testDatabaseUrl, withClient } from '../helpers/database.js';
import { startServe } from '../helpers/serve.js';
import { eventually } from '../helpers/wait.js';
import type { ServeProcess } from '../helpers/serve.js';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
/** Every address the page asked for: all of them must be the server's own (no CDN). */
const requested: string[] = [];

beforeAll(async () => {
  serve = await startServe(['--db', testDatabaseUrl()]);
  browser = await launchChromium();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});
afterEach(async () => {
  await page?.close();
});
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(serve.url);
  await page.waitForSelector('#connection:text("live")');
  // Play pauses 0.9 s between steps for a room to follow; the tests need not.
  await page.$eval('#step-play', (button) => button.setAttribute('data-pause-ms', '20'));
});

async function runAs(mode: string, workers: number, increments: number): Promise<void> {
  await page.selectOption('#run-form select[name=mode]', mode);
  await page.fill('#run-form input[name=workers]', String(workers));
  await page.fill('#run-form input[name=increments]', String(increments));
  await page.click('#run-button');
}

const SENT_STEPS = '#step-sessions .step[data-state=done], #step-sessions .step[data-state=failed], #step-sessions .step[data-state=waiting]';

async function clickSessions(sessions: readonly string[]): Promise<void> {
  for (const session of sessions) {
    const before = await page.locator(SENT_STEPS).count();
    await page.click(`button.run-step[data-session="${session}"]`);
    // A click is done when the step it sent shows as done, failed or waiting.
    await eventually(async () => ((await page.locator(SENT_STEPS).count()) > before ? true : undefined), `the step of ${session} to show`);
  }
}

describe('race-rig serve in Chromium', () => {
  it('Run lost: the page reads RACE and the same lost count as the JSON result', async () => {
    await runAs('lost', 10, 30);
    await page.waitForSelector('#verdict', { timeout: 60_000 });
    expect(await page.textContent('#verdict')).toBe('RACE');
    const shownLost = Number((await page.textContent('[data-field=lost] .value'))?.replaceAll(',', ''));
    const link = await page.getAttribute('#result-json', 'href');
    const json = (await serve.get<{ lost: number; actual: number; expected: number }>(String(link))).body;
    expect(shownLost).toBe(json.lost);
    expect(json.lost).toBeGreaterThan(0);
    expect(Number((await page.textContent('[data-field=actual] .value'))?.replaceAll(',', ''))).toBe(json.actual);
    // The timeline, drawn as on the HTML report, with the erasing write marked.
    expect(await page.$$eval('#timeline svg.timeline rect.lost-write', (rects) => rects.length)).toBeGreaterThan(0);
    expect(await page.$$eval('svg.latency-histogram rect.bar', (bars) => bars.length)).toBeGreaterThan(0);
    expect(requested.every((url) => url.startsWith(serve.base))).toBe(true);
  });

  it('steps through the lost-update spec: the second write waits for s1, then s2check reads 11 after two increments of 10', async () => {
    await page.click('button[data-tab=step]');
    await page.selectOption('#step-form select[name=spec]', { label: 'lost-update.spec' });
    await page.selectOption('#step-form select[name=level]', 'read-committed');
    await page.click('#step-open');
    await page.waitForSelector('#step-about:text("lost-update.spec")');
    await clickSessions(['s1', 's2', 's1', 's2', 's1', 's2']);
    const waiting = page.locator('.session[data-session=s2] .step[data-state=waiting]');
    expect(await waiting.textContent()).toContain('waiting for a lock held by s1');
    expect(await page.isDisabled('button.run-step[data-session=s2]')).toBe(true);

    await clickSessions(['s1']);
    await page.waitForSelector('.session[data-session=s2] .step[data-step=s2w][data-state=done] .completed-note');
    await clickSessions(['s2', 's2']);
    expect(await page.textContent('.session[data-session=s2] .step[data-step=s2check] .result')).toBe('value\n11');
    expect(await page.textContent('#step-outcome')).toContain('Every step ran');
  });

  it('steps through P4 at REPEATABLE READ by playing it: the waiting write fails with 40001, and the anomaly does not occur', async () => {
    await page.click('button[data-tab=step]');
    await page.selectOption('#step-form select[name=spec]', 'anomaly:P4');
    await page.selectOption('#step-form select[name=level]', 'repeatable-read');
    await page.click('#step-open');
    await page.waitForSelector('#step-about:text("P4: lost update")');
    await page.click('#step-play:not([disabled])');
    await page.waitForSelector('#step-outcome', { timeout: 30_000 });
    expect(await page.getAttribute('#step-outcome', 'data-occurred')).toBe('false');
    expect(await page.textContent('.step[data-step=t2w] .error')).toContain('(40001)');
  });

  it('shows a failing interleaving of counter/lost found by explore, and the anomaly occurs', async () => {
    await page.click('button[data-tab=step]');
    await page.selectOption('#failing-form select[name=mode]', 'lost');
    await page.click('#failing-open');
    await page.waitForSelector('#step-about:text("counter/lost: a failing interleaving found by explore")', { timeout: 60_000 });
    await page.waitForSelector('#step-outcome', { timeout: 60_000 });
    expect(await page.getAttribute('#step-outcome', 'data-occurred')).toBe('true');
    expect(await page.textContent('.step[data-step=check] .result')).toBe('counter\n1');
  });

  it('Compare fills in every mode: lost loses increments, the fixes lose none', async () => {
    await page.click('button[data-tab=compare]');
    await page.fill('#compare-form input[name=workers]', '4');
    await page.fill('#compare-form input[name=increments]', '10');
    await page.click('#compare-button');
    await page.waitForSelector('#compare-status:text("every mode came out as documented")', { timeout: 120_000 });
    const lost = await page.$$eval('[data-metric=lost] text[data-field=lost]', (texts) => Object.fromEntries(texts.map((text) => [text.getAttribute('data-mode'), Number(text.textContent)])));
    expect(Object.keys(lost)).toHaveLength(9);
    expect(lost.lost).toBeGreaterThan(0);
    expect(Object.entries(lost).filter(([mode]) => mode !== 'lost').every(([, count]) => count === 0)).toBe(true);
    expect(await page.$$eval('.verdicts .verdict-cell', (cells) => cells.map((cell) => cell.textContent))).toEqual(['RACE', ...Array(8).fill('CORRECT')]);
  });

  it('Cancel stops the run and says everything it started is cleaned up', async () => {
    await runAs('for-update', 8, 200_000);
    await page.waitForSelector('#run-status:text("operations done")', { timeout: 60_000 });
    await page.click('#tab-run .cancel');
    await page.waitForSelector('#run-status:text("cancelled; everything it started is cleaned up")', { timeout: 60_000 });
    expect(await page.isEnabled('#run-button')).toBe(true);
    expect(await withClient(async (client) => (await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'race-rig worker %'")).rowCount)).toBe(0);
  });
});
