/**
 * Checks one chunk on its own into a partial result. Everything that needs no other line is final
 * here; what cross-line rules need travels in the partial and is decided when partials merge.
 */
import { z } from 'zod';
import { type RawChunk, visitChunk } from '../intake/chunk.js';
import type { ColumnLayout } from '../intake/columns.js';
import type { RejectedRecord } from '../intake/framer.js';
import { chargeFact } from '../memory/fact-store.js';
import { KeyPacker, type PackedKeys } from '../memory/packed-keys.js';
import { decodePart, encodePart } from '../memory/part-codec.js';
import { INDEX_CODE, RULE_IDS } from '../rules/catalog.js';
import { DATA_RULES, INDEX_LINE_RULES, type LineContext } from '../rules/data.js';
import { type ClaimLine, echoOf, type LineEcho, toClaimLine } from './claim-line.js';
import { packedFactOf } from './cross-facts.js';
import type { Finding } from './finding.js';

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
   * charge in cents (see chargeFact). Member, claim and NPI are read from `keys`, the line number from
   * `plainLineNos`, at the same position. Numbers, so the merge makes no strings.
   */
  readonly facts: Int32Array;
}

/** A line number written the plain way (`1`, not `01`), small enough for an int32. */
const CANONICAL_NUMBER = /^(?:0|[1-9]\d{0,8})$/;

export type CheckOptions = LineContext;

/** The findings of one line on its own: every data rule, then the 62323 rules of one line. */
export function checkLine(line: ClaimLine, context: LineContext, out: Finding[]): void {
  for (const rule of DATA_RULES) rule(line, context, out);
  if (line.code === INDEX_CODE) for (const rule of INDEX_LINE_RULES) rule(line, context, out);
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
      checkLine(line, options, findings);
      if (findings.length > before) echoes.push({ line: line.line, echo: echoOf(line) });
      const packed = packedFactOf(line);
      if (packed !== undefined)
        facts.push(
          position,
          line.dos!,
          Math.min(line.units ?? 0, 0x7fffffff),
          packed,
          chargeFact(line.chargeCents),
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

const REJECTED_RECORD = z.object({
  line: z.number().int(),
  endLine: z.number().int(),
  reason: z.string(),
  raw: z.string(),
}) satisfies z.ZodType<RejectedRecord>;

export const FINDING = z.object({
  line: z.number().int(),
  ruleId: z.enum(RULE_IDS),
  message: z.string(),
  related: z.array(z.number().int()),
}) satisfies z.ZodType<Finding>;

export const LINE_ECHO = z.object({
  claimId: z.string(),
  lineNo: z.string(),
  memberId: z.string(),
  dateOfService: z.string(),
  procedureCode: z.string(),
  charge: z.string(),
  renderingNpi: z.string(),
}) satisfies z.ZodType<LineEcho>;

/** The small parts of a partial: its header line (the fields in the order encodePartial writes them). */
const PARTIAL_HEAD = z.object({
  chunkIndex: z.number().int().nonnegative(),
  checked: z.number().int().nonnegative(),
  indexLines: z.number().int().nonnegative(),
  rejected: z.array(REJECTED_RECORD),
  findings: z.array(FINDING),
  echoes: z.array(z.object({ line: z.number().int(), echo: LINE_ECHO })),
});

/** A partial as bytes (memory/part-codec.ts has the layout), for storage between Lambdas. */
export function encodePartial(partial: ChunkPartial): Buffer {
  const { keys, facts, lines, plainLineNos, ...small } = partial;
  return encodePart(small, { lines, keys, plainLineNos, facts });
}

/** Reads what encodePartial wrote; throws a BAD_PART ScrubError on anything else. */
export function decodePartial(bytes: Uint8Array): ChunkPartial {
  const { head, body } = decodePart(bytes, PARTIAL_HEAD);
  return { ...head, ...body };
}
