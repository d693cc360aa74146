/**
 * How large plans fare as reports: time to render the HTML and the Markdown, the HTML's size, and
 * how long headless Chromium takes to load it and to open every folded list and scroll to the end.
 * Plans come from the real planner (four fifths multi-arch indexes, one fifth single images; each
 * rule deletes at most 1,000 a run, so most images stay — the long lists the page folds).
 *
 *   npx tsx bench/html-report.ts --images 10000 --runs 5
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtmlReport } from '../src/report/html.js';
import { renderMarkdownReport } from '../src/report/markdown.js';
import { launchChromium } from '../test/support/chromium.js';
import { largeReports } from '../test/support/reports.js';
import { argument, machine, summary } from './support.js';

const images = argument('images', 10_000);
const runs = argument('runs', 5);
const context = { registry: 'ECR us-east-1', generatedAt: new Date() };
const reports = largeReports(images);
const timed = <T>(work: () => T): [T, number] => {
  const started = performance.now();
  const result = work();
  return [result, performance.now() - started];
};

const htmlTimes: number[] = [];
const markdownTimes: number[] = [];
let html = '';
let markdown = '';
for (let run = 0; run < runs; run += 1) {
  const [page, htmlTime] = timed(() => renderHtmlReport(reports, context));
  const [summaryText, markdownTime] = timed(() => renderMarkdownReport(reports, context));
  html = page;
  markdown = summaryText;
  htmlTimes.push(htmlTime);
  markdownTimes.push(markdownTime);
}
const path = join(await mkdtemp(join(tmpdir(), 'janitor-bench-report-')), 'report.html');
await writeFile(path, html);

const loadTimes: number[] = [];
const openTimes: number[] = [];
let nodes = 0;
const browser = await launchChromium();
try {
  for (let run = 0; run < runs; run += 1) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    let started = performance.now();
    await page.goto(pathToFileURL(path).href);
    loadTimes.push(performance.now() - started);
    nodes = await page.evaluate('document.getElementsByTagName("*").length');
    started = performance.now();
    await page.evaluate(`(async () => {
      for (const details of document.querySelectorAll('details')) details.open = true;
      window.scrollTo(0, document.body.scrollHeight);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    })()`);
    openTimes.push(performance.now() - started);
    await page.close();
  }
} finally {
  await browser.close();
}

process.stdout.write(
  [
    `- Machine: ${machine()}, Chromium ${browser.version()}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Command: \`npx tsx bench/html-report.ts --images ${images} --runs ${runs}\``,
    '',
    '| images | HTML ms | HTML MiB | elements | Chromium load ms | open all + scroll ms | Markdown ms | Markdown KiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${images} | ${summary(htmlTimes, 0)} | ${(Buffer.byteLength(html) / 2 ** 20).toFixed(1)} | ${nodes} | ${summary(loadTimes, 0)} | ${summary(openTimes, 0)} | ${summary(markdownTimes, 0)} | ${(Buffer.byteLength(markdown) / 1024).toFixed(0)} |`,
    '',
  ].join('\n'),
);
