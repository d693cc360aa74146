import { describe, expect, it } from 'vitest';
import type { HandlerReport } from '../../src/cleanup/handler.js';
import { buildPlan } from '../../src/core/plan.js';
import { githubSummaryLimitBytes, renderMarkdownReport } from '../../src/report/markdown.js';
import { markdownText } from '../../src/report/markdown-text.js';
import { shaImages, shaRule } from '../support/inventory.js';
import { sampleReports } from '../support/reports.js';

const context = { registry: 'ECR us-east-1', generatedAt: new Date('2026-12-01T10:00:00Z') };

/** Column separators of a table row: pipes not escaped with a backslash. */
function columns(line: string): number {
  return (line.match(/(?<!\\)\|/g) ?? []).length;
}

/** Handlers of `count` repositories, each deleting `going` single images. */
function largeReports(count: number, going: number, mode: 'plan' | 'apply' = 'plan'): HandlerReport[] {
  return Array.from({ length: count }, (_, index) => {
    const repository = `team/service-${index}`;
    const plan = buildPlan({
      handler: { name: `${repository}:sha`, repository, rule: { ...shaRule, keep: 10, drop: going } },
      images: shaImages(going + 10),
      manifests: new Map(),
    });
    return { handler: plan.handler, repository, mode, plan, success: true, durationMs: 1 };
  });
}

describe('the Markdown report', () => {
  it('escapes tags and messages so they read as text, and keeps every table row whole', () => {
    const markdown = renderMarkdownReport(sampleReports('plan'), context);
    expect(markdown).not.toMatch(/<script/i);
    expect(markdown).toContain('| v1.1.0&lt;script&gt;alert\\("x"\\)&lt;/script&gt; |');
    expect(markdown).toContain('| v1.2.0\\|\\*bold\\*\\|\\[link\\]\\(http://example.com\\) |');
    expect(markdown).toContain('ecr:DescribeImages on &lt;db&gt;');
    const tables = markdown.split('\n').filter((line) => line.startsWith('|'));
    expect(tables.length).toBeGreaterThan(5);
    let header = 0;
    for (const line of tables) {
      if (line.startsWith('| handler') || line.startsWith('| tag')) header = columns(line);
      expect(columns(line), line).toBe(header);
    }
    expect(markdownText('@team #12 $x$ `code` ~~gone~~')).toBe(
      '\\@team \\#12 \\$x\\$ \\`code\\` \\~\\~gone\\~\\~',
    );
    expect(markdownText('line one\nline two')).toBe('line one line two');
  });

  it('says in its title what a plan would do, then one summary row per handler', () => {
    const markdown = renderMarkdownReport(sampleReports('plan'), context);
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('## registry-janitor plan: 4 images going, 77.2 MiB reclaimable');
    expect(markdown).toContain(
      '**Nothing has been deleted.** 3 handlers on ECR us-east-1, 2026-12-01 10:00 UTC',
    );
    expect(lines).toContain('| web:v | 7 | 3 | 4 | 8 | 77.2 MiB | would delete |');
    expect(lines).toContain('| api:v | 3 | 3 | 0 | 0 | 0 B | **blocked** |');
    expect(lines).toContain('| db:v | — | — | 0 | 0 | 0 B | **failed** |');
    expect(markdown).toContain('Stays: 2 newest, 1 protected.');
    expect(markdown).toMatch(
      /- `sha256:616d6436342d` of v2\.0\.0: v3\.0\.0 \\\(sha256:\w+\\\) still needs it/,
    );
  });

  it('puts blocked and failed handlers first, with their blockers and errors', () => {
    const markdown = renderMarkdownReport(sampleReports('plan'), context);
    const warning = markdown.indexOf('> [!WARNING]');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(markdown.indexOf('| handler |'));
    expect(markdown).toContain('> - **api:v**: blocked, nothing deleted: the manifest of v1');
    expect(markdown).toContain('> - **db:v**: the run failed: AccessDeniedException');

    // One line each at the top; every blocker in the handler's own section.
    const [web, api, db] = sampleReports('plan') as [HandlerReport, HandlerReport, HandlerReport];
    const blockers = [
      ...(api.plan?.blockers ?? []),
      { kind: 'unreadable-manifest' as const, message: 'the manifest of v2 <b>cannot</b> be read' },
    ];
    const twice = { ...api, plan: api.plan && { ...api.plan, blockers } };
    const both = renderMarkdownReport([web, twice, db], context);
    expect(both).toMatch(
      /> - \*\*api:v\*\*: blocked, nothing deleted: the manifest of v1 .* \\\(and 1 more\\\)\n/,
    );
    expect(both).toContain('\nEvery blocker:\n\n- the manifest of v1');
    expect(both).toContain('- the manifest of v2 &lt;b&gt;cannot&lt;/b&gt; be read\n');
  });

  it('after apply, says what was deleted and lists every failure', () => {
    const markdown = renderMarkdownReport(sampleReports('apply'), context);
    expect(markdown.split('\n')[0]).toBe('## registry-janitor apply: 6 digests deleted, 58.2 MiB reclaimed');
    expect(markdown).toContain('6 of 8 planned digests deleted, 1 failed.');
    expect(markdown).toContain('| web:v | 7 | 3 | 4 | 6/8 | 58.2 MiB | **6 digests deleted, 1 failed** |');
    expect(markdown).toMatch(/- failed `sha256:\w+`: InvalidParameterException: refused &lt;for a test&gt;/);
    expect(markdown).toMatch(/\| v2\.0\.0 \| [^|]+ \| [^|]+ \| index, 2 children \| 0\/2 \|/);
  });

  it('cuts long lists with a note and stays within the size asked for', () => {
    const long = renderMarkdownReport(largeReports(1, 300), context);
    expect(long.split('\n').filter((line) => /^\| a\d{3} /.test(line))).toHaveLength(200);
    expect(long).toContain('_…and 100 more images: the HTML or JSON report lists them all._');

    const reports = [...sampleReports('plan'), ...largeReports(40, 150)];
    const limit = 30_000;
    const cut = renderMarkdownReport(reports, context, { maxBytes: limit });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(limit);
    // Problems come before anything that may be cut.
    expect(cut).toContain('> - **api:v**: blocked');
    expect(cut).toMatch(/_\d+ more parts are not shown, to stay within GitHub's size limit/);

    const whole = renderMarkdownReport(largeReports(60, 200), context);
    expect(Buffer.byteLength(whole)).toBeLessThanOrEqual(githubSummaryLimitBytes);
    expect(whole).toContain("to stay within GitHub's size limit");
  });
});
