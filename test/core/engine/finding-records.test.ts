/** Spilled records of findings: what is written reads back the same, and nothing else reads at all. */
import { describe, expect, it } from 'vitest';
import type { LineEcho } from '../../../functions/core/engine/claim-line.js';
import type { Finding } from '../../../functions/core/engine/finding.js';
import { decodeFindingRecord, encodeFindingRecord } from '../../../functions/core/engine/finding-records.js';

const echo = (line: number, memberId = 'M1'): LineEcho => ({
  claimId: `C${line}`,
  lineNo: '1',
  memberId,
  dateOfService: '2026-01-02',
  procedureCode: '62323',
  charge: '10.00',
  providerNpi: '1234567893',
  payer: 'ACME',
  rulePack: '62323/v2',
});

const findings: Finding[] = [
  { line: 2, ruleId: 'MISSING_FIELD', severity: 'error', message: 'member_id is empty', related: [] },
  { line: 2, ruleId: 'INVALID_NPI', severity: 'warning', message: 'bad "npi"\n\\', related: [5, 9] },
  { line: 7, ruleId: 'DUPLICATE_LINE', severity: 'info', message: 'repeat of line 3', related: [3] },
];

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('finding records', () => {
  it('read back as written, ASCII or not', () => {
    for (const member of ['M1', 'Zoë – 名前 😀', '\u2028']) {
      const echoes = [echo(2, member), echo(7)];
      const bytes = encodeFindingRecord(findings, echoes);
      expect(decodeFindingRecord(bytes, 'run')).toEqual({ findings, echoes });
    }
  });

  it('reads from a view into bigger bytes', () => {
    const bytes = encodeFindingRecord(findings, [echo(2), echo(7)]);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(decodeFindingRecord(padded.subarray(5, 5 + bytes.length), 'run').findings).toEqual(findings);
  });

  it('refuses anything else, naming the run', () => {
    const good = encodeFindingRecord(findings, [echo(2), echo(7)]);
    const swap = (from: string, to: string) => {
      const changed = Buffer.from(text(good).replace(from, to), 'latin1');
      expect(changed.equals(Buffer.from(good))).toBe(false);
      return changed;
    };
    const bad = [
      new Uint8Array(0),
      good.subarray(0, good.length - 1),
      Buffer.from(`{${text(good).slice(1)}`, 'latin1'),
      Buffer.from(`A${JSON.stringify({ findings, echoes: [echo(2), echo(7)] })}`, 'latin1'),
      swap('[2,', '["2",'),
      swap('"member_id is empty"', '7'),
      swap('[5,9]', '[5,"9"]'),
      swap('"62323/v2"]', '"62323/v2",""]'),
      swap('"ACME"', 'null'),
      // A rule or severity index the catalog does not have.
      swap('[7,', '[7.5,'),
      Buffer.from(text(good).replace(/\[7,(\d+),/, '[7,999,'), 'latin1'),
      Buffer.from(text(good).replace(/\[7,(\d+),(\d+),/, '[7,$1,3,'), 'latin1'),
      // One echo short of the lines.
      encodeFindingRecord(findings, [echo(2)]),
    ];
    for (const bytes of bad)
      expect(() => decodeFindingRecord(bytes, 'findings-3')).toThrow(
        expect.objectContaining({
          code: 'SPILL_UNREADABLE',
          message: 'spilled findings of findings-3 do not read back',
        }),
      );
  });
});
