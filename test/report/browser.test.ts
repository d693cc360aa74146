/// <reference lib="dom" />
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/cli/format.js';
import { seedRepositories } from '../../src/config/config.js';
import { seedDemoFleet } from '../../src/emulator/fleet.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { launchChromium, skipWithoutChromium } from '../support/chromium.js';
import { writeDemoReport } from '../support/demo-report.js';
import { type EmulatedEcr, startEmulatedEcr } from '../support/emulator.js';
import { largeReports } from '../support/reports.js';

interface PlanJson {
  handlers: { groups?: { deleting: string[] }[]; bytesReclaimed?: number }[];
}

/** Opens a report file; every request the page makes is recorded, to prove it makes none but its own. */
async function open(browser: Browser, path: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(path).href);
  return { page, requests };
}

/** The text as rendered, one space for any run of white space: what a person reads. */
async function seen(locator: Locator): Promise<string[]> {
  return (await locator.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
}

describe.skipIf(skipWithoutChromium)('the HTML report in a browser', () => {
  let browser: Browser;
  let ecr: EmulatedEcr;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ecr = await startEmulatedEcr();
  });
  afterEach(async () => {
    await ecr.emulator.stop();
  });

  it("shows the demo fleet's totals, one bar per repository, and an index's children once opened", async () => {
    seedDemoFleet(ecr.emulator.state);
    const report = await writeDemoReport(ecr, 'plan', ['--json']);
    expect(report.result.stderr).toBe('');
    expect(report.result.exitCode).toBe(0);
    // stdout stays what it was without --html: here the JSON document.
    const json = JSON.parse(report.result.stdout) as PlanJson;
    const groups = json.handlers.flatMap((handler) => handler.groups ?? []);
    const digests = groups.reduce((total, group) => total + group.deleting.length, 0);
    const bytes = json.handlers.reduce((total, handler) => total + (handler.bytesReclaimed ?? 0), 0);
    expect(groups.length).toBeGreaterThan(0);

    const { page, requests } = await open(browser, report.html);
    expect(await page.locator('h1').textContent()).toBe('Cleanup plan');
    expect(await page.locator('.lede').textContent()).toContain('Nothing has been deleted.');
    expect(await seen(page.locator('.totals .total'))).toEqual([
      `${groups.length} images going`,
      `${digests} digests with them`,
      `${formatBytes(bytes)} reclaimable`,
      '10 handlers, all fine',
    ]);

    const bars = page.locator('.chart svg .entry');
    expect(await bars.count()).toBe(seedRepositories.length);
    expect(await page.locator('.chart svg rect.bar').count()).toBe(seedRepositories.length);
    const labels = await page.locator('.chart svg .entry > text:not(.value)').allTextContents();
    expect([...labels].sort()).toEqual([...seedRepositories].sort());
    for (const bar of await page.locator('.chart svg rect.bar').all())
      expect(Number(await bar.getAttribute('width'))).toBeGreaterThan(0);

    // kayron's oldest sha index: a kept release shares one of its platform manifests.
    const kayron = page.locator('section.handler', { has: page.locator('h2', { hasText: /^kayron:sha$/ }) });
    const index = kayron.locator('details.group').first();
    const members = index.locator('li.member');
    expect(await members.first().isVisible()).toBe(false);
    await index.locator('summary').click();
    expect(await members.first().isVisible()).toBe(true);
    const lines = await seen(members);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^index sha256:\w{12} — goes$/);
    expect(lines.filter((line) => /^child sha256:\w{12} [\d.]+ \w+ goes$/.test(line))).toHaveLength(3);
    expect(lines).toContainEqual(
      expect.stringMatching(/^child .* stays: v0\.10\.0 \(sha256:\w{12}\) still needs it$/),
    );

    // Nothing was fetched but the file itself: no asset, no font, no script from anywhere.
    expect(requests).toEqual([pathToFileURL(report.html).href]);
    await page.close();
  });

  it('after apply, shows the digests really deleted', async () => {
    seedDemoFleet(ecr.emulator.state);
    const report = await writeDemoReport(ecr, 'apply');
    expect(report.result.exitCode).toBe(0);
    expect(report.result.stdout).toContain('Cleanup of 10 handlers');
    const { page } = await open(browser, report.html);
    expect(await page.locator('h1').textContent()).toBe('Cleanup report');
    expect(ecr.emulator.requestCounts().BatchDeleteImage ?? 0).toBeGreaterThan(0);
    const [deleted] = await seen(page.locator('.totals .total').first());
    expect(deleted).toMatch(/^(\d+) digests deleted of \1 planned$/);
    expect(deleted).not.toMatch(/^0 /);
    await page.close();
  });

  it('opens a plan of 10,000 images and scrolls to its last one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'janitor-large-report-'));
    const path = join(directory, 'large.html');
    const reports = largeReports(10_000);
    const candidates = reports.reduce((total, report) => total + (report.plan?.candidateCount ?? 0), 0);
    expect(candidates).toBe(10_000);
    await writeFile(path, renderHtmlReport(reports, { registry: 'ECR us-east-1', generatedAt: new Date() }));
    const { page } = await open(browser, path);
    expect(await seen(page.locator('.totals .total').first())).toEqual(['2000 images going']);
    // Long lists of what stays are folded, so the page starts small.
    expect(await page.locator('details.stays[open]').count()).toBe(0);
    const lastHandler = page.locator('section.handler').last();
    const stays = lastHandler.locator('details.stays');
    await stays.locator('summary').click();
    const lastRow = stays.locator('tbody tr').last();
    await lastRow.scrollIntoViewIfNeeded();
    expect(await lastRow.isVisible()).toBe(true);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(10_000);
    await page.mouse.wheel(0, 100_000);
    await page.locator('footer').scrollIntoViewIfNeeded();
    expect(await page.locator('footer').isVisible()).toBe(true);
    await page.close();
  });
});
