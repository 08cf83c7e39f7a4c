/**
 * report.html (formats.md "the auditor's worklist"), read as text: one self-contained file whose only
 * script is allowed by hash, every input value escaped in the markup and in the JSON block the
 * worklist is drawn from, the figures in their order of weight, and a page that says how much of a
 * big batch it holds. test/browser/report.test.ts drives the same page in Chromium.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reportBatchOf } from '../../../functions/core/engine/batch-findings.js';
import { renderHtml } from '../../../functions/core/report/html.js';
import { scrubBatch } from '../../../functions/core/scrub.js';
import { batch } from '../../support/batch.js';
import { NPI_B } from '../../support/npi.js';
import { FIXED_NOW, scrub, source } from '../../support/run.js';

const SCRIPT = '<script>alert(1)</script>';

/** The page's script elements: [attributes, text]. */
const scripts = (html: string): [string, string][] =>
  [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)].map((match) => [match[1]!, match[2]!]);

interface PageData {
  strings: string[];
  rules: [string, string, string, string][];
  claims: Record<string, number[]>;
  lines: Record<string, number[]>;
  findings: { rule: number[]; severity: number[]; message: number[]; related: number[][] };
  rejected: Record<string, number[]>;
  held: { claims: number; findings: number; rejected: number };
  total: { claims: number; findings: number; rejected: number };
}

const dataOf = (html: string): PageData => {
  const block = scripts(html).find(([attributes]) => attributes.includes('application/json'));
  return JSON.parse(block![1]) as PageData;
};

/** The markup outside the JSON block. */
const markup = (html: string): string =>
  html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');

const headings = (html: string): string[] =>
  [...markup(html).matchAll(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/g)].map((match) =>
    match[2]!.replace(/<[^>]+>/g, ''),
  );

describe('report.html', () => {
  it('keeps a claim_id <script>alert(1)</script> inert: escaped in the JSON block, read back as text', async () => {
    const run = await scrub(batch([{ claim_id: SCRIPT, prior_auth: '' }]));
    const html = run.result.files['report.html'];
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain('</script>alert');
    // Two script elements: the data (not executable) and the page's own script.
    expect(scripts(html).map(([attributes]) => attributes.trim())).toEqual([
      'type="application/json" id="report-data"',
      '',
    ]);
    const [, json] = scripts(html)[0]!;
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
    expect(dataOf(html).strings).toContain(SCRIPT);
  });

  it('escapes every input value it shows: NPI, code, line number text, payer, unknown columns, batch id, source', async () => {
    const evil = '"><img src=x onerror=alert(2)>';
    const run = await scrub(
      batch(
        [
          {
            rendering_npi: evil,
            line_no: '<b id=ln>1</b>',
            date_of_service: '<i id=dos>d</i>',
            procedure_code: '<u id=cpt>x</u>',
            payer: '=HYPERLINK("http://x.test","y")\u2028z',
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
      '<svg onload',
      '<img',
      '\u2028',
    ])
      expect(html, raw).not.toContain(raw);
    expect(markup(html)).toContain('&lt;svg onload=alert(3)&gt;');
    const { strings } = dataOf(html);
    for (const value of [
      "O'Brien & <Sons>",
      '<U ID=CPT>X</U>', // procedure codes are read upper-cased
      '<b id=ln>1</b>',
      '=HYPERLINK("http://x.test","y")\u2028z',
    ])
      expect(strings, value).toContain(value);
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
    expect(html).toContain('&lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is self-contained: a CSP that allows only its one inline script (by hash) and no fetch, no external resource', async () => {
    const run = await scrub(batch([{ prior_auth: '' }, { procedure_code: '77003', member_id: 'MBR001' }]));
    const html = run.result.files['report.html'];
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    const code = scripts(html)[1]![1];
    const hash = createHash('sha256').update(code, 'utf8').digest('base64');
    expect(csp).toBe(
      `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`,
    );
    expect(html).not.toMatch(/<link|<iframe|<img|<object|<embed|@import|url\(/i);
    expect(html).not.toMatch(/(?:src|href|action)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(code).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|fetch\(|XMLHttpRequest|WebSocket|import\(/,
    );
  });

  it('puts the figures in their order of weight, formatted, and labels chart bars with rule titles', async () => {
    const run = await scrub(
      batch([
        { prior_auth: '', charge: '$1,250.00' },
        { procedure_code: '77003', member_id: 'MBR001', charge: '99.50' },
        { rendering_npi: NPI_B, modifiers: ['50'], charge: '300' },
      ]),
    );
    const html = markup(run.result.files['report.html']);
    expect(html).toContain('test-batch');
    const labels = [
      ...html.matchAll(/<p class="tile-label">([^<]+)<\/p><p class="tile-value">([^<]+)</g),
    ].map((match) => [match[1], match[2]]);
    // Dollars at risk: lines with an error finding (99.50 + 300); claims with errors of 3 claims.
    expect(labels).toEqual([
      ['Dollars at risk', '$399.50'],
      ['Claims with errors', '2 of 3'],
      ['Errors', '2'],
      ['Warnings', '1'],
      ['Lines checked', '3'],
      ['Rejected', '0'],
    ]);
    expect(html).toContain('33.3% clean claims');
    expect(headings(html).slice(0, 2)).toEqual(['Batch test-batch', '$399.50 at risk on 2 claims']);
    for (const chart of [
      'Dollars at risk by rule',
      'Findings by rule',
      'Findings by severity',
      'Top providers by dollars at risk',
    ])
      expect(headings(html), chart).toContain(chart);
    expect(html).toMatch(/<svg role="img" aria-labelledby="chart-rule-findings-title"/);
    for (const title of [
      'Imaging guidance billed separately from 62323',
      '62323 is not a bilateral procedure',
      'No prior authorization number',
    ])
      expect(html, title).toContain(`class="label">${title}</text>`);
    expect(html).toContain(`NPI ${NPI_B}`);
  });

  it('holds every claim with findings, by dollars at risk, with fix and source for each finding', async () => {
    const run = await scrub(
      batch([
        { claim_id: 'LOW', prior_auth: '', charge: '10' },
        { claim_id: 'HIGH', member_id: 'M1', procedure_code: '77003', charge: '900' },
        { claim_id: 'HIGH', member_id: 'M1', line_no: '2', charge: '500', prior_auth: '' },
        { claim_id: 'MID', modifiers: ['50'], charge: '300' },
        { claim_id: 'CLEAN' },
      ]),
    );
    const data = dataOf(run.result.files['report.html']);
    const ids = data.claims.id!.map((at) => data.strings[at]);
    expect(ids).toEqual(['HIGH', 'MID', 'LOW']);
    expect(data.claims.cents).toEqual([90000, 30000, 0]);
    expect(data.held).toEqual({ claims: 3, findings: run.rows.length, rejected: 0 });
    expect(data.total).toEqual(data.held);
    // Every finding of findings.csv is on the page, with its line and its rule's fix and source.
    const pageFindings: string[] = [];
    let finding = 0;
    data.lines.line!.forEach((line, at) => {
      for (let index = 0; index < data.lines.findings![at]!; index += 1, finding += 1) {
        const rule = data.rules[data.findings.rule[finding]!]!;
        pageFindings.push(
          `${line} ${rule[0]} ${data.strings[data.findings.message[finding]!]} | ${rule[2]} | ${rule[3]}`,
        );
      }
    });
    expect(pageFindings.sort()).toEqual(
      run.rows.map((row) => `${row.line} ${row.rule_id} ${row.message} | ${row.fix} | ${row.source}`).sort(),
    );
  });

  it('beyond its budget holds the highest-risk claims and says how many it holds of how many', async () => {
    const lines = Array.from({ length: 30 }, (_, index) => ({
      claim_id: `C${index}`,
      modifiers: ['50'],
      charge: String(100 + index),
    }));
    const run = await scrub(batch(lines));
    expect(run.rows.length).toBe(30);
    const html = [...renderHtml(run.result.summary, reportBatchOf(run.result.batch!), { findings: 10 })].join(
      '',
    );
    const data = dataOf(html);
    expect(data.held).toMatchObject({ claims: 10, findings: 10 });
    expect(data.total).toMatchObject({ claims: 30, findings: 30 });
    expect(data.claims.id!.map((at) => data.strings[at])).toEqual(
      Array.from({ length: 10 }, (_, index) => `C${29 - index}`),
    );
    expect(markup(html)).toContain(
      'This page holds the 10 highest-risk claims of 30 with findings (10 of 30 findings). findings.csv and findings.xlsx hold them all.',
    );
  });

  it('a rejected batch says so first, with the reason, and shows no tiles of zeros', async () => {
    const run = await scrub('');
    const html = markup(run.result.files['report.html']);
    expect(headings(html)[1]).toBe('Rejected: nothing in this batch was checked');
    expect(html).toContain('empty');
    expect(html).not.toContain('class="tile-value"');
    expect(html).not.toContain('Dollars at risk');
  });

  it('a batch with no findings says it is clean, in words', async () => {
    const run = await scrub(batch([{}, {}]));
    const html = markup(run.result.files['report.html']);
    expect(headings(html)[1]).toBe('Clean: no findings in 2 checked lines');
    expect(html).toContain('No claim has a finding: nothing to work.');
  });
});
