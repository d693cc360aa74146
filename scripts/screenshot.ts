/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `npm run screenshot`: the README's picture of a plan, taken as the browser test looks at it —
 * the built `janitor plan --html` on the demo fleet in the ECR emulator, opened in headless
 * Chromium, with kayron's oldest sha index opened (the one whose platform manifest a kept
 * release still needs) and the list of what stays unfolded.
 */
import { pathToFileURL } from 'node:url';
import { seedDemoFleet } from '../src/emulator/fleet.js';
import { launchChromium } from '../test/support/chromium.js';
import { writeDemoReport } from '../test/support/demo-report.js';
import { startEmulatedEcr } from '../test/support/emulator.js';

const output = new URL('../docs/plan-report.png', import.meta.url);
const ecr = await startEmulatedEcr();
try {
  seedDemoFleet(ecr.emulator.state);
  const report = await writeDemoReport(ecr, 'plan');
  if (report.result.exitCode !== 0) throw new Error(`janitor plan failed:\n${report.result.stderr}`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(report.html).href);
    const kayron = page.locator('section.handler', { has: page.locator('h2', { hasText: 'kayron:sha' }) });
    await kayron.locator('details.group > summary').first().click();
    await kayron.locator('details.stays > summary').click();
    // The top of the page (totals, chart, handlers) and kayron:sha's section, one above the other.
    await page.evaluate(() => {
      const sections = [...document.querySelectorAll('section.handler')];
      for (const section of sections) {
        if (!section.querySelector('h2')?.textContent?.includes('kayron:sha')) section.remove();
      }
    });
    await page.screenshot({ path: output.pathname, fullPage: true });
    process.stdout.write(`wrote ${output.pathname}\n`);
  } finally {
    await browser.close();
  }
} finally {
  await ecr.emulator.stop();
}
