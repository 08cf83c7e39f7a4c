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
import { KeyPacker, type PackedKeys, packedKeysFromJson, packedKeysToJson } from './packed-keys.js';

/** The partial result of one chunk: plain data, so it crosses threads and sits in S3 as JSON. */
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
  /** … and its key cells, for duplicate detection and claim/member counts. */
  readonly keys: PackedKeys;
  /**
   * Lines that cross-line rules need, FACT_WIDTH numbers each: position in `lines`, date of service
   * (day number), units (0 when invalid), the packed code / modifier 25 / place of service, the line
   * number when it is a plain number (else -1) and the charge in cents (see centsFact). Member, claim
   * and NPI are read from `keys` at the same position. Numbers, so the merge makes no strings.
   */
  readonly facts: Int32Array;
}

export const FACT_WIDTH = 6;
/** A line number written the plain way (`1`, not `01`), small enough for an int32. */
export const CANONICAL_NUMBER = /^(?:0|[1-9]\d{0,8})$/;
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
          CANONICAL_NUMBER.test(line.lineNo) ? Number(line.lineNo) : -1,
          centsFact(line.chargeCents),
        );

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
    facts: Int32Array.from(facts),
  };
}

/** A partial as plain JSON (typed arrays as base64 / number arrays), for storage between Lambdas. */
export const partialToJson = (partial: ChunkPartial): string =>
  JSON.stringify({ ...partial, keys: packedKeysToJson(partial.keys), facts: Array.from(partial.facts) });

export function partialFromJson(text: string): ChunkPartial {
  const parsed = JSON.parse(text) as Omit<ChunkPartial, 'keys' | 'facts'> & {
    keys: { bytes: string; ends: number[] };
    facts: number[];
  };
  return { ...parsed, keys: packedKeysFromJson(parsed.keys), facts: Int32Array.from(parsed.facts) };
}
