import { describe, expect, it } from 'vitest';
import type { HandlerReport } from '../../src/cleanup/handler.js';
import { formatBytes } from '../../src/cli/format.js';
import type { ImageDecision } from '../../src/core/types.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { digestOf } from '../support/inventory.js';
import { sampleReports, scriptTag } from '../support/reports.js';

const context = { registry: 'ECR us-east-1', generatedAt: new Date('2026-12-01T10:00:00Z') };

/** The text of each element with this class, tags stripped, entities left as they are. */
function texts(html: string, className: string): string[] {
  const pattern = new RegExp(`<(\\w+) class="${className}"[^>]*>([\\s\\S]*?)</\\1>`, 'g');
  return [...html.matchAll(pattern)].map((match) => (match[2] ?? '').replace(/<[^>]+>/g, ''));
}

/** One handler's section. */
function section(html: string, handler: string): string {
  const start = html.indexOf(`<h2>${handler}</h2>`);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('</section>', start);
  return html.slice(html.lastIndexOf('<section', start), end);
}

describe('the HTML report', () => {
  it('shows every tag and message from the registry as text, and loads nothing from elsewhere', () => {
    const html = renderHtmlReport(sampleReports('plan'), context);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('v1.1.0&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('HTTP 500 &lt;from the registry&gt;');
    expect(html).toContain('ecr:DescribeImages on &lt;db&gt;');
    // No external asset of any kind, and a policy that would refuse one.
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(scriptTag).toContain('<script>');
  });

  it('puts the totals of a plan at the top, and one bar per repository', () => {
    const reports = sampleReports('plan');
    const html = renderHtmlReport(reports, context);
    const web = reports[0]?.plan;
    expect(texts(html, 'total go')).toEqual([
      '4images going',
      `${formatBytes(web?.bytesReclaimed ?? 0)}reclaimable`,
    ]);
    expect(texts(html, 'total')).toEqual(['8digests with them']);
    expect(texts(html, 'total bad')).toEqual(['2of 3 handlers need attention']);
    expect(html).toContain('<strong>Nothing has been deleted.</strong>');
    const bars = [...html.matchAll(/<g class="entry" data-repository="([^"]+)">/g)].map((match) => match[1]);
    expect(bars).toEqual(['web', 'api', 'db']);
    expect(html.match(/<rect class="bar"/g)).toHaveLength(3);
  });

  it('opens each index to its children and referrers, and says why a kept member stays', () => {
    const html = section(renderHtmlReport(sampleReports('plan'), context), 'web:v');
    const groups = html.match(/<details class="group">/g) ?? [];
    expect(groups).toHaveLength(2); // v1.0.0 and v2.0.0; the single images have nothing to open
    const members = [...html.matchAll(/<li class="member">(.*?)<\/li>/g)].map((match) =>
      (match[1] ?? '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    expect(members.filter((member) => member.startsWith('referrer'))).toHaveLength(1);
    expect(members.filter((member) => member.startsWith('child'))).toHaveLength(4);
    expect(members).toContainEqual(
      expect.stringMatching(
        /^child sha256:616d6436342d 38\.1 MiB stays: v3\.0\.0 \(sha256:\w+\) still needs it$/,
      ),
    );
    expect(html).toContain('3 images stay');
    expect(html).toContain('carries the protected tag v0.9.0');
  });

  it('marks blocked and failed handlers, with their blockers and errors', () => {
    const html = renderHtmlReport(sampleReports('plan'), context);
    expect(section(html, 'api:v')).toContain('class="card handler needs-attention"');
    expect(section(html, 'api:v')).toContain('Blocked: nothing will be deleted by this handler.');
    expect(section(html, 'api:v')).toContain('older than the newest 1 of api:v, but the handler is blocked');
    expect(section(html, 'db:v')).toContain('<strong>The run failed:</strong> AccessDeniedException');
    expect(section(html, 'web:v')).not.toContain('needs-attention');
    const start = html.indexOf('<section class="card attention">');
    const attention = html.slice(start, html.indexOf('</section>', start));
    expect(attention).toMatch(
      /api:v<\/a> — blocked, nothing deleted: the manifest of v1 .* \(HTTP 500 &lt;from/,
    );
    expect(attention).toMatch(/db:v<\/a> — the run failed: AccessDeniedException/);
    expect(attention).not.toContain('web:v');
  });

  it('after apply, shows what was really deleted and every failure', () => {
    const html = renderHtmlReport(sampleReports('apply'), context);
    expect(html).not.toContain('Nothing has been deleted');
    expect(texts(html, 'total go')[0]).toBe('6digests deleted of 8 planned');
    expect(texts(html, 'total bad')).toEqual(['1deletions failed', '3of 3 handlers need attention']);
    const web = section(html, 'web:v');
    expect(web).toContain('failed: InvalidParameterException: refused &lt;for a test&gt;');
    expect(web).toContain('kept: its parent index could not be deleted');
    expect(web).toContain('1 digest kept because their parent index could not be deleted.');
    expect(web).toMatch(/<span class="number chip bad">0\/2<\/span>/);
    expect(html).toContain(`<code>${digestOf('index-v2.0.0')}</code>: InvalidParameterException`);
  });

  it('says where "in use" came from, and in red when a source could not be read', () => {
    const inUse = {
      readAt: new Date('2026-12-01T09:59:00Z'),
      sources: ['ecs 123456789012 us-east-1', 'lambda 123456789012 us-east-1'],
      uses: [],
      failures: [{ source: 'lambda 123456789012 us-east-1', error: 'AccessDenied <lambda:ListFunctions>' }],
      malformed: [],
    };
    const html = renderHtmlReport(sampleReports('plan'), { ...context, inUse });
    expect(html).toContain(
      '<p class="problem">In use: could not read lambda 123456789012 us-east-1 (AccessDenied &lt;lambda:ListFunctions&gt;) — every handler is blocked.',
    );
    const fine = renderHtmlReport(sampleReports('plan'), { ...context, inUse: { ...inUse, failures: [] } });
    expect(fine).toContain(
      '<p class="note">In use: 0 image references from ecs 123456789012 us-east-1, lambda 123456789012 us-east-1, read 2026-12-01 09:59 UTC; what they name is kept.</p>',
    );
  });

  it('names reasons it knows, and shows one it does not know by its own words', () => {
    const [web] = sampleReports('plan') as [HandlerReport];
    const plan = web.plan;
    if (plan === undefined) throw new Error('the sample has a plan');
    const renamed = plan.decisions.map((decision): ImageDecision => {
      if (decision.fate !== 'keep') return decision;
      if (decision.tag === 'v3.1.0')
        return { ...decision, reason: 'in-use' as never, explanation: 'in use by ecs service prod/api' };
      if (decision.tag === 'v3.0.0')
        return { ...decision, reason: 'legal-hold' as never, explanation: 'held for an audit' };
      return decision;
    });
    const html = renderHtmlReport([{ ...web, plan: { ...plan, decisions: renamed } }], context);
    expect(html).toMatch(
      /<span class="badge reason">in use<\/span><\/td><td>in use by ecs service prod\/api/,
    );
    expect(html).toMatch(/<span class="badge reason">legal hold<\/span><\/td><td>held for an audit/);
    expect(html).toContain('1 in use, 1 legal hold, 1 protected');
  });
});
