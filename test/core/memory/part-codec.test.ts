/** The partial's byte format: a round trip, and malformed parts refused with BAD_PART naming the field. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ChunkPartial,
  decodePartial,
  encodePartial,
} from '../../../functions/core/engine/check-chunk.js';
import { ScrubError } from '../../../functions/core/errors.js';
import { decodePart, encodePart, type PartBody } from '../../../functions/core/memory/part-codec.js';

const MEMBER = 'MEM-SECRET-42';

const PARTIAL: ChunkPartial = {
  chunkIndex: 3,
  checked: 2,
  indexLines: 1,
  rejected: [{ line: 9, endLine: 10, reason: 'too few fields', raw: 'a,b' }],
  findings: [
    {
      line: 2,
      ruleId: 'PRIOR_AUTH_MISSING',
      severity: 'warning',
      message: 'no prior authorization number',
      related: [],
    },
  ],
  claimFindings: [],
  packLines: [2],
  payers: ['Synthetic Health Plan'],
  echoes: [
    {
      line: 2,
      echo: {
        claimId: 'C1',
        lineNo: '1',
        memberId: MEMBER,
        dateOfService: '2026-11-02',
        procedureCode: '62323',
        charge: '1250.00',
        providerNpi: '1234567893',
        payer: 'Synthetic Health Plan',
        rulePack: '62323/v2',
      },
    },
  ],
  lines: [2, 3],
  keys: { bytes: new Uint8Array([0x43, 0x31]), ends: new Int32Array([1, 2]) },
  plainLineNos: new Int32Array([1, -1]),
  books: new Int32Array([0, 0]),
  facts: new Int32Array([0, 20760, 1, 5, 125000, 0]),
};

/** The part with its header line replaced by `header`. */
function withHeader(part: Uint8Array, header: (parsed: Record<string, unknown>) => unknown): Buffer {
  const buffer = Buffer.from(part);
  const newline = buffer.indexOf(0x0a);
  const parsed = JSON.parse(buffer.toString('utf8', 0, newline));
  return Buffer.concat([Buffer.from(JSON.stringify(header(parsed))), buffer.subarray(newline)]);
}

function failure(run: () => unknown): ScrubError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScrubError) return error;
    throw error;
  }
  throw new Error('expected a ScrubError');
}

describe('partial codec', () => {
  it('round-trips a partial, header fields first and the sizes last', () => {
    const bytes = encodePartial(PARTIAL);
    expect(decodePartial(bytes)).toEqual(PARTIAL);
    const header = bytes.toString('utf8', 0, bytes.indexOf(0x0a));
    expect(Object.keys(JSON.parse(header))).toEqual([
      'chunkIndex',
      'checked',
      'indexLines',
      'rejected',
      'findings',
      'claimFindings',
      'packLines',
      'payers',
      'echoes',
      'sizes',
    ]);
  });

  it('names the field of a malformed header, never its value', () => {
    const bytes = encodePartial(PARTIAL);
    const badRule = failure(() =>
      decodePartial(
        withHeader(bytes, (head) => ({
          ...head,
          findings: [{ line: 2, ruleId: 'NO_SUCH_RULE', message: 'x', related: [] }],
        })),
      ),
    );
    expect(badRule.code).toBe('BAD_PART');
    expect(badRule.message).toContain('findings.0.ruleId');

    const badEcho = failure(() =>
      decodePartial(
        withHeader(bytes, (head) => ({
          ...head,
          echoes: [{ line: 2, echo: { memberId: MEMBER } }],
        })),
      ),
    );
    expect(badEcho.message).toContain('echoes.0.echo.');
    expect(badEcho.message).not.toContain(MEMBER);

    const noCount = failure(() => decodePartial(withHeader(bytes, ({ checked: _, ...head }) => head)));
    expect(noCount.message).toContain('field checked');

    const badSizes = failure(() =>
      decodePartial(
        withHeader(bytes, (head) => ({ ...head, sizes: { lines: -1, ends: 2, facts: 5, bytes: 2 } })),
      ),
    );
    expect(badSizes.message).toContain('sizes.lines');
  });

  it('refuses a part without a header line, with a header that is not JSON, cut short or too long', () => {
    const bytes = encodePartial(PARTIAL);
    expect(failure(() => decodePartial(Buffer.from('no newline'))).code).toBe('BAD_PART');
    expect(failure(() => decodePartial(Buffer.from('{not json\n'))).message).toMatch(/not JSON/);
    expect(failure(() => decodePartial(bytes.subarray(0, bytes.length - 12))).message).toMatch(/cut short/);
    expect(failure(() => decodePartial(Buffer.concat([bytes, Buffer.from([0])]))).message).toMatch(
      /wrong length/,
    );
  });

  it('keeps its layout whatever the header holds: the caller schema reads the header', () => {
    const body: PartBody = {
      lines: [7],
      keys: { bytes: new Uint8Array([1, 2, 3]), ends: new Int32Array([3]) },
      plainLineNos: new Int32Array([7]),
      books: new Int32Array([2]),
      facts: new Int32Array(0),
    };
    const bytes = encodePart({ name: 'piece' }, body);
    const newline = bytes.indexOf(0x0a);
    expect(bytes.toString('utf8', 0, newline)).toBe(
      '{"name":"piece","sizes":{"lines":1,"ends":1,"facts":0,"bytes":3}}',
    );
    // Line numbers, plain line_no values, book indices, cell ends, facts (little-endian int32), then
    // the key bytes.
    expect([...bytes.subarray(newline + 1)]).toEqual([
      7, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3,
    ]);
    expect(decodePart(bytes, z.object({ name: z.string() }))).toEqual({ head: { name: 'piece' }, body });
  });
});
