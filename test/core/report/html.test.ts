/** report.html (formats.md): one self-contained file; every value from the input HTML-escaped. */
import { describe, expect, it } from 'vitest';
import { scrubBatch } from '../../../functions/core/scrub.js';
import { batch } from '../../support/batch.js';
import { NPI_B } from '../../support/npi.js';
import { FIXED_NOW, scrub, source } from '../../support/run.js';

const SCRIPT = '<script>alert(1)</script>';

describe('report.html', () => {
  it('never writes a claim_id <script>alert(1)</script> unescaped', async () => {
    const run = await scrub(batch([{ claim_id: SCRIPT, prior_auth: '' }]));
    const html = run.result.files['report.html'];
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes every input value it shows: NPI, code, message, line number text, charge, unknown columns', async () => {
    const evil = '"><img src=x onerror=alert(2)>';
    const run = await scrub(
      batch(
        [
          {
            rendering_npi: evil,
            line_no: '<b id=ln>1</b>',
            date_of_service: '<i id=dos>d</i>',
            procedure_code: '<u id=cpt>x</u>',
          },
          { claim_id: "O'Brien & <Sons>", prior_auth: '' },
        ],
        { extra: { '<svg onload=alert(3)>': 'v' } },
      ),
    );
    const html = run.result.files['report.html'];
    for (const raw of [
      evil,
      '<b id=ln>',
      '<i id=dos>',
      '<u id=cpt>',
      '<Sons>',
      '<svg onload=alert(3)>',
      '<img',
    ]) {
      expect(html, raw).not.toContain(raw);
    }
    expect(html).toContain('O&#39;Brien &amp; &lt;Sons&gt;');
    expect(html).toContain('&lt;svg onload=alert(3)&gt;');
  });

  it('escapes the batch id and the source name', async () => {
    const result = await scrubBatch(source(batch([{ prior_auth: '' }])), {
      batchId: `<b>${SCRIPT}`,
      sourceName: `<i onmouseover=alert(4)>.csv`,
      asOf: '2026-11-28',
      now: () => FIXED_NOW,
    });
    const html = result.files['report.html'];
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain('<i onmouseover');
  });

  it('is self-contained: no scripts, no external resources', async () => {
    const run = await scrub(batch([{ prior_auth: '' }, { procedure_code: '77003', member_id: 'MBR001' }]));
    const html = run.result.files['report.html'];
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
  });

  it('shows the summary figures, charts by rule and severity, dollars at risk, providers and the findings table', async () => {
    const run = await scrub(
      batch([
        { prior_auth: '', charge: '$1,250.00' },
        { procedure_code: '77003', member_id: 'MBR001', charge: '99.50' },
        { rendering_npi: NPI_B, modifiers: ['50'], charge: '300' },
      ]),
    );
    const html = run.result.files['report.html'];
    expect(html).toContain('test-batch');
    expect(html).toMatch(/<svg[^>]*aria-label="Findings by rule"/);
    expect(html).toMatch(/<svg[^>]*aria-label="Findings by severity"/);
    for (const ruleId of ['PRIOR_AUTH_MISSING', 'IMAGING_BUNDLED', 'BILATERAL_MODIFIER'])
      expect(html).toContain(ruleId);
    // Dollars at risk: lines with an error finding (99.50 + 300).
    expect(run.summary.dollarsAtRisk).toBe(399.5);
    expect(html).toContain('$399.50');
    expect(html).toContain(NPI_B);
    expect((html.match(/<tr><td class="n">\d+<\/td>/g) ?? []).length).toBe(run.rows.length);
  });

  it('says why a rejected batch was rejected', async () => {
    const run = await scrub('');
    const html = run.result.files['report.html'];
    expect(html).toContain('rejected');
    expect(html).toContain('empty');
  });
});
