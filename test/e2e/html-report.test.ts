import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { launchChromium } from '../helpers/chromium.js';
import { testDatabaseUrl } from '../helpers/database.js';

let dir: string;
let browser: Browser;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'race-rig-html-test-'));
  browser = await launchChromium();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('--html', () => {
  it('writes a self-contained report that renders the comparison table, the histograms and the timeline', async () => {
    const file = join(dir, 'compare.html');
    const run = await runCli(['compare', '--db', testDatabaseUrl(), '-w', '4', '-n', '50', '--html', file]);
    expect(run.code).toBe(0);

    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(pathToFileURL(file).href);

    const rows = await page.$$eval('#compare tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(9);
    expect(rows[0]?.slice(0, 3)).toEqual(['lost', 'RACE', 'race ✓']);
    expect(rows.slice(1).every((row) => row[1] === 'CORRECT' && row[2] === 'correct ✓')).toBe(true);

    const bars = await page.$$eval('#run-lost svg.latency-histogram rect.bar', (rects) => rects.map((rect) => rect.getBoundingClientRect().height));
    expect(bars.length).toBeGreaterThan(0);
    expect(Math.max(...bars)).toBeGreaterThan(50);

    const timeline = await page.$eval('#run-lost svg.timeline', (svg) => {
      const box = svg.getBoundingClientRect();
      return { width: box.width, events: svg.querySelectorAll('rect.event').length, lostWrites: svg.querySelectorAll('rect.lost-write').length };
    });
    expect(timeline.width).toBeGreaterThan(500);
    expect(timeline.events).toBeGreaterThan(4);
    expect(timeline.lostWrites).toBeGreaterThan(0);
    expect(await page.textContent('#run-lost .lost-writes')).toMatch(/^\d+ lost writes? among them/);

    // Nothing but the file itself: no script, font or image fetched from anywhere.
    expect(requested).toEqual([pathToFileURL(file).href]);
    expect(await readFile(file, 'utf8')).not.toMatch(/<script|https?:\/\//);
    await page.close();
  });
});
