/** summary.json as formats.md defines it: fields, counts and the accounting that must hold. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { batch, type LineInput } from '../../support/batch.js';
import { FIXED_NOW, scrub } from '../../support/run.js';
import { AS_OF } from '../../support/spec.js';

const KEYS = [
  'batchId',
  'ruleSet',
  'rulePacks',
  'asOf',
  'status',
  'source',
  'counts',
  'byRule',
  'dollarsAtRisk',
  'unknownColumns',
  'history',
  'generatedAt',
];

describe('summary.json', () => {
  const lines: LineInput[] = [
    { claim_id: 'A', line_no: '1', member_id: 'M1', charge: '$1,250.00' },
    { claim_id: 'A', line_no: '2', member_id: 'M1', procedure_code: '77003', charge: '210.00' },
    { claim_id: 'A', line_no: '3', member_id: 'M1', procedure_code: '77012', charge: '200.00' },
    { claim_id: 'B', line_no: '1', member_id: 'M2', prior_auth: '', charge: '300.00' },
    { claim_id: 'C', line_no: '1', member_id: 'M3', procedure_code: '99213', charge: '80.00' },
    {
      claim_id: 'C',
      line_no: '2',
      member_id: 'M3',
      modifiers: ['50'],
      dx: ['M54.50'],
      prior_auth: '',
      charge: '400.00',
    },
    { claim_id: 'D', line_no: '1', member_id: 'M3', charge: 'n/a', units: '0' },
  ];

  it('has the fields of formats.md, in its order, with the right values', async () => {
    const text = batch(lines, { extra: { Notes: 'n' } });
    const run = await scrub(text, { sourceName: 'nightly.csv' });
    const { summary } = run;
    expect(Object.keys(summary)).toEqual(KEYS);
    expect(summary).toMatchObject({
      batchId: 'test-batch',
      ruleSet: '62323/v2',
      asOf: AS_OF,
      status: 'complete',
      unknownColumns: ['Notes'],
    });
    expect(summary.source).toEqual({
      name: 'nightly.csv',
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
      encoding: 'utf-8',
    });
    expect(Object.keys(summary.source)).toEqual(['name', 'bytes', 'sha256', 'encoding']);
    // The built-in pack judged every checked line.
    expect(summary.rulePacks).toEqual([
      { name: '62323/v2', version: '2', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), lines: 7 },
    ]);
    expect(Object.keys(summary.rulePacks[0]!)).toEqual(['name', 'version', 'sha256', 'lines']);
    expect(summary.generatedAt).toBe('2026-11-28T03:12:09Z');
    expect(summary.generatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(FIXED_NOW.toISOString().startsWith(summary.generatedAt.slice(0, 19))).toBe(true);
  });

  it('counts lines, claims, members, index lines, flagged lines and findings', async () => {
    const run = await scrub(`${batch(lines)}x,y\n`);
    expect(run.summary.counts).toEqual({
      lines: 8,
      checked: 7,
      rejected: 1,
      claims: 4,
      members: 3,
      indexLines: 4,
      flaggedLines: 6,
      // A, C and D have an error finding; B only a warning.
      claimsWithErrors: 3,
      cleanClaimRate: 0.25,
      findings: { error: 7, warning: 2, info: 0 },
    });
    expect(Object.keys(run.summary.counts), 'the order of formats.md').toEqual([
      'lines',
      'checked',
      'rejected',
      'claims',
      'members',
      'indexLines',
      'flaggedLines',
      'claimsWithErrors',
      'cleanClaimRate',
      'findings',
    ]);
  });

  it('counts a claim with errors on several lines once, and a claim with no id not at all', async () => {
    const run = await scrub(
      batch([
        { claim_id: 'A', line_no: '1', member_id: 'M1', units: '0' },
        { claim_id: 'A', line_no: '2', member_id: 'M1', procedure_code: '77003' },
        { claim_id: '', line_no: '1', member_id: 'M2', units: '0' },
        { claim_id: 'B', line_no: '1', member_id: 'M3' },
      ]),
    );
    expect(run.summary.counts).toMatchObject({ claims: 2, claimsWithErrors: 1, cleanClaimRate: 0.5 });
  });

  it('sums byRule per rule, with the severity and the charges of the lines it flagged', async () => {
    const run = await scrub(batch(lines));
    expect(run.summary.byRule).toEqual({
      INVALID_UNITS: { severity: 'error', findings: 1, charge: 0 },
      INVALID_CHARGE: { severity: 'error', findings: 1, charge: 0 },
      IMAGING_BUNDLED: { severity: 'error', findings: 2, charge: 410 },
      BILATERAL_MODIFIER: { severity: 'error', findings: 1, charge: 400 },
      DX_AXIAL_ONLY: { severity: 'error', findings: 1, charge: 400 },
      EM_SAME_DAY_NO_25: { severity: 'error', findings: 1, charge: 80 },
      PRIOR_AUTH_MISSING: { severity: 'warning', findings: 2, charge: 700 },
    });
  });

  it('counts dollars at risk once per line with an error, not for warning-only lines', async () => {
    const run = await scrub(batch(lines));
    // Errors on lines with 210.00, 200.00, 80.00 and 400.00 (two errors there); line D has an invalid
    // charge; line B has a warning only.
    expect(run.summary.dollarsAtRisk).toBe(890);
  });

  it('keeps cents exact when summing many small charges', async () => {
    const many: LineInput[] = Array.from({ length: 30 }, (_, index) => ({
      member_id: `P${index}`,
      dx: ['M54.2'],
      charge: '0.10',
    }));
    const run = await scrub(batch(many));
    expect(run.summary.dollarsAtRisk).toBe(3);
    expect(run.summary.byRule.DX_NOT_COVERED).toEqual({ severity: 'error', findings: 30, charge: 3 });
  });

  it('describes a clean batch as complete with no findings', async () => {
    const run = await scrub(batch([{}, {}]));
    expect(run.summary).toMatchObject({ status: 'complete', byRule: {}, dollarsAtRisk: 0 });
    expect(run.summary.counts.findings).toEqual({ error: 0, warning: 0, info: 0 });
  });

  it('describes a rejected batch: status, error code and message, zero counts', async () => {
    const run = await scrub('just,a,header\n');
    expect(Object.keys(run.summary)).toEqual([
      'batchId',
      'ruleSet',
      'rulePacks',
      'asOf',
      'status',
      'error',
      ...KEYS.slice(5),
    ]);
    expect(run.summary.status).toBe('rejected');
    // Nothing was judged, so no pack was used.
    expect(run.summary.rulePacks.map((pack) => [pack.name, pack.lines])).toEqual([]);
    expect(Object.keys(run.summary.error!)).toEqual(['code', 'message']);
    expect(run.summary.error!.code).toBe('MISSING_COLUMNS');
  });

  it('hashes and sizes the upload as received (compressed for .csv.gz)', async () => {
    const gz = gzipSync(Buffer.from(batch(lines)));
    const run = await scrub(gz, { sourceName: 'nightly.csv.gz' });
    expect(run.summary.source).toEqual({
      name: 'nightly.csv.gz',
      bytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
      encoding: 'utf-8',
    });
  });

  it('ends with a line feed and is valid JSON', async () => {
    const run = await scrub(batch([{}]));
    expect(run.result.files['summary.json'].endsWith('}\n')).toBe(true);
  });
});
