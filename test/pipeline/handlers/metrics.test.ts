/** Reading the counts of a written report: a malformed summary names the file and the field. */
import { describe, expect, it } from 'vitest';
import { decodeReportedBatch } from '../../../functions/pipeline/metrics.js';

const summary = {
  status: 'complete',
  counts: { lines: 3, checked: 2, rejected: 1, findings: { error: 4, warning: 0, info: 1 } },
};

describe('decodeReportedBatch', () => {
  it('reads the status, the lines checked and the findings by severity', () => {
    expect(decodeReportedBatch(JSON.stringify(summary), 'reports/b/summary.json')).toEqual({
      status: 'complete',
      checked: 2,
      findings: { error: 4, warning: 0, info: 1 },
    });
    expect(decodeReportedBatch(Buffer.from(JSON.stringify(summary)), 'k').checked).toBe(2);
  });

  it('names the file and the field it cannot read', () => {
    const bad = { ...summary, counts: { ...summary.counts, findings: { error: 4, warning: -1, info: 1 } } };
    expect(() => decodeReportedBatch(JSON.stringify(bad), 'reports/b/summary.json')).toThrow(
      expect.objectContaining({
        code: 'BAD_SUMMARY',
        message: 'reports/b/summary.json: counts.findings.warning: expected at least 0',
      }),
    );
    expect(() => decodeReportedBatch(JSON.stringify({ ...summary, status: 'done' }), 'k')).toThrow(
      'k: status: expected "complete" or "rejected" or "incomplete"',
    );
    expect(() => decodeReportedBatch('{', 'k')).toThrow('k: not JSON');
  });
});
