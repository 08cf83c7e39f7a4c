/**
 * Checks one chunk on its own into a partial result. Everything that needs no other line is final
 * here; what cross-line rules need travels in the partial and is decided when partials merge.
 */

import { type RawChunk, visitChunk } from '../intake/chunk.js';
import type { ColumnLayout } from '../intake/columns.js';
import type { RejectedRecord } from '../intake/framer.js';
import { INDEX_CODE } from '../rules/catalog.js';
import { echoOf, type LineEcho, toClaimLine } from './claim-line.js';
import { packedFactOf } from './cross-rules.js';
import type { Finding } from './finding.js';
import { checkLine } from './line-rules.js';
import { KeyPacker, type PackedKeys } from './packed-keys.js';

/** The partial result of one chunk: plain data and typed arrays, so it crosses threads and sits in S3. */
export interface ChunkPartial {
  readonly chunkIndex: number;
  readonly checked: number;
  readonly indexLines: number;
  readonly rejected: RejectedRecord[];
  /** Findings decided inside the chunk. */
  readonly findings: Finding[];
  /** Echo of each line with a finding above. */
  readonly echoes: { readonly line: number; readonly echo: LineEcho }[];
  /** Every checked line, ascending: its line number … */
  readonly lines: number[];
  /** … and its key cells, for duplicate detection and claim/member counts … */
  readonly keys: PackedKeys;
  /** … and its line_no as a number when written the plain way (`7`, not `07`), else -1. */
  readonly plainLineNos: Int32Array;
  /**
   * Lines that cross-line rules need, FACT_WIDTH numbers each: position in `lines`, date of service
   * (day number), units (0 when invalid), the packed code / modifier 25 / place of service and the
   * charge in cents (see centsFact). Member, claim and NPI are read from `keys`, the line number from
   * `plainLineNos`, at the same position. Numbers, so the merge makes no strings.
   */
  readonly facts: Int32Array;
}

export const FACT_WIDTH = 5;
/** A line number written the plain way (`1`, not `01`), small enough for an int32. */
const CANONICAL_NUMBER = /^(?:0|[1-9]\d{0,8})$/;
/** Charge in cents for a fact: -1 when missing, invalid or not positive; -2 when too big for int32. */
export const NO_CHARGE = -1;
export const BIG_CHARGE = -2;
const centsFact = (cents: number | undefined): number =>
  cents === undefined || cents <= 0 ? NO_CHARGE : cents > 0x7fffffff ? BIG_CHARGE : cents;

export interface CheckOptions {
  /** The as-of date as a day number: dates of service after it are out of range. */
  readonly asOfDay: number;
}

export function checkChunk(chunk: RawChunk, layout: ColumnLayout, options: CheckOptions): ChunkPartial {
  const rejected: RejectedRecord[] = [];
  const findings: Finding[] = [];
  const echoes: { line: number; echo: LineEcho }[] = [];
  const facts: number[] = [];
  const lines: number[] = [];
  const plainLineNos = new Int32Array(chunk.startLines.length);
  const keys = new KeyPacker(chunk.startLines.length);
  let indexLines = 0;

  visitChunk(chunk, layout.width, {
    reject: (record) => rejected.push(record),
    record(fields, lineNumber) {
      const position = lines.length;
      const line = toClaimLine(fields, layout, lineNumber);
      if (line.code === INDEX_CODE) indexLines += 1;
      const before = findings.length;
      checkLine(line, options.asOfDay, findings);
      if (findings.length > before) echoes.push({ line: line.line, echo: echoOf(line) });
      const packed = packedFactOf(line);
      if (packed !== undefined)
        facts.push(
          position,
          line.dos!,
          Math.min(line.units ?? 0, 0x7fffffff),
          packed,
          centsFact(line.chargeCents),
        );

      plainLineNos[position] = CANONICAL_NUMBER.test(line.lineNo) ? Number(line.lineNo) : -1;
      lines.push(line.line);
      keys.cell(line.claimId);
      keys.cell(line.lineNo);
      keys.cell(line.memberKey);
      keys.cell(line.memberId === line.memberKey ? '' : line.memberId);
      keys.cell(line.dosText);
      keys.cell(line.code);
      keys.cell(line.chargeText);
      keys.cell(line.renderingNpi);
    },
  });

  return {
    chunkIndex: chunk.index,
    checked: lines.length,
    indexLines,
    rejected,
    findings,
    echoes,
    lines,
    keys: keys.finish(),
    // Rejected records leave the tail unused.
    plainLineNos: plainLineNos.slice(0, lines.length),
    facts: Int32Array.from(facts),
  };
}

/**
 * A partial as bytes, for storage between Lambdas: one JSON line with the small parts (counts,
 * findings, echoes, rejected records) and the sizes of the rest, then the line numbers, plain
 * line_no values, cell ends and facts as little-endian int32, then the key bytes. The big arrays are copied, never printed as
 * JSON numbers, which is what made a chunk's partial slow to store and to merge.
 */
export function encodePartial(partial: ChunkPartial): Buffer {
  const { keys, facts, lines, plainLineNos, ...small } = partial;
  const sizes = {
    lines: lines.length,
    ends: keys.ends.length,
    facts: facts.length,
    bytes: keys.bytes.length,
  };
  const head = Buffer.from(`${JSON.stringify({ ...small, sizes })}\n`, 'utf8');
  // Line numbers and plain line_no values come in pairs of the same length.
  const numbers = new Int32Array(sizes.lines * 2 + sizes.ends + sizes.facts);
  numbers.set(lines);
  numbers.set(plainLineNos, sizes.lines);
  numbers.set(keys.ends, sizes.lines * 2);
  numbers.set(facts, sizes.lines * 2 + sizes.ends);
  return Buffer.concat([head, littleEndian(new Uint8Array(numbers.buffer)), keys.bytes]);
}

/** Typed arrays use the machine's byte order; files are little-endian (as x86 and arm64 Lambdas are). */
const MACHINE_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const littleEndian = (int32Bytes: Uint8Array): Uint8Array => {
  if (!MACHINE_IS_LITTLE_ENDIAN)
    Buffer.from(int32Bytes.buffer, int32Bytes.byteOffset, int32Bytes.byteLength).swap32();
  return int32Bytes;
};

/** Reads what encodePartial wrote; throws on anything else. */
export function decodePartial(bytes: Uint8Array): ChunkPartial {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(0x0a);
  if (newline < 0) throw new Error('partial has no header line');
  const { sizes, ...small } = JSON.parse(buffer.toString('utf8', 0, newline)) as Omit<
    ChunkPartial,
    'keys' | 'facts' | 'lines' | 'plainLineNos'
  > & { sizes: { lines: number; ends: number; facts: number; bytes: number } };
  let at = newline + 1;
  const int32s = (count: number): Int32Array => {
    if (at + count * 4 > buffer.length) throw new Error('partial is cut short');
    // A copy: the file's bytes need not sit at a 4-byte boundary.
    const copy = new Uint8Array(count * 4);
    copy.set(buffer.subarray(at, at + count * 4));
    at += count * 4;
    return new Int32Array(littleEndian(copy).buffer);
  };
  const lines = Array.from(int32s(sizes.lines));
  const plainLineNos = int32s(sizes.lines);
  const ends = int32s(sizes.ends);
  const facts = int32s(sizes.facts);
  if (buffer.length - at !== sizes.bytes) throw new Error('partial has the wrong length');
  const keyBytes = new Uint8Array(sizes.bytes);
  keyBytes.set(buffer.subarray(at));
  return { ...small, lines, keys: { bytes: keyBytes, ends }, plainLineNos, facts };
}
