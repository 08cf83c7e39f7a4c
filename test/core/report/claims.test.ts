import { describe, expect, it } from 'vitest';
import { reportBatchOf } from '../../../functions/core/engine/batch-findings.js';
import { batchClaimsOf, claimsOf } from '../../../functions/core/report/claims.js';
import { batch, type LineInput } from '../../support/batch.js';
import { scrub } from '../../support/run.js';

describe('the claims of the worklist', () => {
  const lines: LineInput[] = [
    // Claim A: two error lines (210.00 + 200.00) and the 62323 line itself clean.
    { claim_id: 'A', line_no: '1', member_id: 'M1', charge: '1250.00', date_of_service: '2026-11-02' },
    { claim_id: 'A', line_no: '2', member_id: 'M1', procedure_code: '77003', charge: '210.00' },
    { claim_id: 'A', line_no: '3', member_id: 'M1', procedure_code: '77012', charge: '200.00' },
    // Claim B: a warning only.
    { claim_id: 'B', line_no: '1', member_id: 'M2', prior_auth: '', charge: '300.00' },
    // Two lines without a claim id: each a claim of its own.
    { claim_id: '', line_no: '1', member_id: 'M3', units: '0', charge: '50.00' },
    { claim_id: '', line_no: '2', member_id: 'M3', units: '0', charge: '60.00' },
  ];

  it('has one entry per claim with findings, sorted by dollars at risk, with counts and rules', async () => {
    const run = await scrub(batch(lines));
    const claims = claimsOf(reportBatchOf(run.result.batch!).flagged.rows());
    expect(claims.map((claim) => [claim.claimId, claim.errorCents])).toEqual([
      ['A', 41000],
      ['', 6000],
      ['', 5000],
      ['B', 0],
    ]);
    const a = claims[0]!;
    expect(a.findings).toEqual({ error: 2, warning: 0, info: 0 });
    expect(a.ruleIds).toEqual(['IMAGING_BUNDLED']);
    expect(a.flaggedLines).toBe(2);
    expect(a.firstLine).toBe(3);
    // Every finding of findings.csv is in exactly one claim.
    const total = claims.reduce((sum, claim) => sum + claim.findings.error + claim.findings.warning, 0);
    expect(total).toBe(run.rows.length);
  });

  it('are made alongside another pass read to the end, and only then', async () => {
    const run = await scrub(batch(lines));
    const report = reportBatchOf(run.result.batch!);
    const expected = claimsOf(report.flagged.rows());
    let passes = 0;
    const counted = {
      ...report,
      flagged: {
        ...report.flagged,
        rows: () => {
          passes += 1;
          return report.flagged.rows();
        },
      },
    };
    const claims = batchClaimsOf(counted);
    // A pass stopped early holds only some claims: it makes none.
    for (const _row of claims.alongside(counted.flagged.rows())) break;
    expect([...claims.alongside(counted.flagged.rows())]).toEqual([...report.flagged.rows()]);
    expect([...claims()]).toEqual(expected);
    expect(passes).toBe(2);
    // Once made, a pass alongside is the rows alone.
    expect([...claims.alongside(counted.flagged.rows())]).toHaveLength(run.rows.length);
    expect(claims()).toBe(claims());
  });
});
