/**
 * Checks one chunk on its own into a partial result. Everything that needs no other line is final
 * here; what cross-line rules need travels in the partial and is decided when partials merge.
 */
import { z } from 'zod';
import { type RawChunk, visitChunk } from '../intake/chunk.js';
import type { ColumnLayout } from '../intake/columns.js';
import type { RejectedRecord } from '../intake/framer.js';
import { chargeFact, FACT_WIDTH } from '../memory/fact-store.js';
import { KeyPacker, type PackedKeys } from '../memory/packed-keys.js';
import { decodePart, encodePart } from '../memory/part-codec.js';
import { BUILT_IN_BOOKS, type RuleBooks } from '../rules/books.js';
import { INDEX_CODE, RULE_IDS, SEVERITIES } from '../rules/catalog.js';
import { CLAIM_EXEMPTED_RULES, DATA_RULES, INDEX_LINE_RULES, type LineContext } from '../rules/data.js';
import { type ClaimLine, detached, echoOf, type LineEcho, toClaimLine } from './claim-line.js';
import { FactCodes, packedFactOf } from './cross-facts.js';
import { type Finding, judgeByBook } from './finding.js';

/** The partial result of one chunk: plain data and typed arrays, so it crosses threads and sits in S3. */
export interface ChunkPartial {
  readonly chunkIndex: number;
  readonly checked: number;
  readonly indexLines: number;
  readonly rejected: RejectedRecord[];
  /** Findings decided inside the chunk. */
  readonly findings: Finding[];
  /**
   * Findings that stand unless the line's claim has a cisternography line (the diagnosis rules):
   * decided where the claim's lines meet.
   */
  readonly claimFindings: Finding[];
  /** Echo of each line with a finding above. */
  readonly echoes: { readonly line: number; readonly echo: LineEcho }[];
  /** Checked lines judged by each pack (RuleBooks.packs order). */
  readonly packLines: number[];
  /** The payers of the lines with facts, as written: a fact holds its payer's index here. */
  readonly payers: string[];
  /** Every checked line, ascending: its line number … */
  readonly lines: number[];
  /** … and its key cells, for duplicate detection and claim/member counts … */
  readonly keys: PackedKeys;
  /** … and its line_no as a number when written the plain way (`7`, not `07`), else -1 … */
  readonly plainLineNos: Int32Array;
  /** … and the id of its rule book. */
  readonly books: Int32Array;
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

/** line_no as a number when written the plain way, else -1; most are one digit, read without the RegExp. */
function plainNumberOf(lineNo: string): number {
  if (lineNo.length === 1) {
    const digit = lineNo.charCodeAt(0) - 0x30;
    return digit >= 0 && digit <= 9 ? digit : -1;
  }
  return CANONICAL_NUMBER.test(lineNo) ? Number(lineNo) : -1;
}

export interface CheckOptions {
  /** The as-of date as a day number. */
  readonly asOfDay: number;
  /** The batch's rule books; the built-in rule set's when absent. */
  readonly books?: RuleBooks;
}

/**
 * The findings of one line on its own, judged by its book: every data rule, then the 62323 rules of
 * one line. The diagnosis rules go to `claimOut` when the line has a claim id (a cisternography line
 * of the claim may exempt it); without one, no other line can.
 */
export function checkLine(line: ClaimLine, context: LineContext, out: Finding[], claimOut: Finding[]): void {
  const before = out.length;
  for (const rule of DATA_RULES) rule(line, context, out);
  if (line.code === INDEX_CODE) {
    for (const rule of INDEX_LINE_RULES) rule(line, context, out);
    const exemptable = line.claimId === '' ? out : claimOut;
    const from = exemptable.length;
    for (const rule of CLAIM_EXEMPTED_RULES) rule(line, context, exemptable);
    if (exemptable === claimOut && claimOut.length > from) judgeByBook(claimOut, from, context.book);
  }
  if (out.length > before) judgeByBook(out, before, context.book);
}

/** Fact codes of a rule book set, made once per set (workers check many chunks with one). */
const factCodesOf = new WeakMap<RuleBooks, FactCodes>();
function codesFor(books: RuleBooks): FactCodes {
  const known = factCodesOf.get(books);
  if (known !== undefined) return known;
  const codes = new FactCodes(books);
  factCodesOf.set(books, codes);
  return codes;
}

export function checkChunk(chunk: RawChunk, layout: ColumnLayout, options: CheckOptions): ChunkPartial {
  const rejected: RejectedRecord[] = [];
  const findings: Finding[] = [];
  const claimFindings: Finding[] = [];
  const echoes: { line: number; echo: LineEcho }[] = [];
  // Room for a fact of every line: the chunk's facts are written in place, no array grows.
  const facts = new Int32Array(chunk.startLines.length * FACT_WIDTH);
  let factsUsed = 0;
  const lines: number[] = [];
  const plainLineNos = new Int32Array(chunk.startLines.length);
  const bookIds = new Int32Array(chunk.startLines.length);
  const keys = new KeyPacker(chunk.startLines.length, chunk.text.byteLength);
  const { books = BUILT_IN_BOOKS, asOfDay } = options;
  const factCodes = codesFor(books);
  const packLines = books.packs.map(() => 0);
  const payers: string[] = [];
  const payerIndex = new Map<string, number>();
  const payerOf = (payer: string): number => {
    let index = payerIndex.get(payer);
    if (index === undefined) {
      // A copy: the partial outlives the chunk's text, which a slice of it would keep alive.
      index = payers.push(detached(payer)) - 1;
      payerIndex.set(payer, index);
    }
    return index;
  };
  let indexLines = 0;
  // One context per book, made once: a batch's lines switch books as their payers change.
  const contexts: LineContext[] = books.books.map((book) => ({ asOfDay, book }));

  visitChunk(chunk, layout.width, {
    reject: (record) => rejected.push(record),
    record(fields, lineNumber) {
      const position = lines.length;
      const line = toClaimLine(fields, layout, lineNumber);
      if (line.code === INDEX_CODE) indexLines += 1;
      const book = books.bookOf(line.payer, line.dos);
      const context = contexts[book.id]!;
      packLines[book.pack]! += 1;
      bookIds[position] = book.id;
      const before = findings.length;
      const claimBefore = claimFindings.length;
      checkLine(line, context, findings, claimFindings);
      if (findings.length > before || claimFindings.length > claimBefore)
        echoes.push({ line: line.line, echo: echoOf(line, book.packName) });
      const packed = packedFactOf(line, factCodes, book.id);
      if (packed !== undefined) {
        facts[factsUsed] = position;
        facts[factsUsed + 1] = line.dos!;
        facts[factsUsed + 2] = Math.min(line.units ?? 0, 0x7fffffff);
        facts[factsUsed + 3] = packed;
        facts[factsUsed + 4] = chargeFact(line.chargeCents);
        facts[factsUsed + 5] = payerOf(line.payer);
        factsUsed += FACT_WIDTH;
      }

      plainLineNos[position] = plainNumberOf(line.lineNo);
      lines.push(line.line);
      keys.cell(line.claimId);
      keys.cell(line.lineNo);
      keys.cell(line.memberKey);
      keys.cell(line.memberId === line.memberKey ? '' : line.memberId);
      keys.cell(line.dosText);
      keys.cell(line.code);
      keys.cell(line.chargeText);
      keys.cell(line.encounterNpi);
      keys.cell(line.payer);
    },
  });

  return {
    chunkIndex: chunk.index,
    checked: lines.length,
    indexLines,
    rejected,
    findings,
    claimFindings,
    echoes,
    packLines,
    payers,
    lines,
    keys: keys.finish(),
    // Rejected records leave the tail unused.
    plainLineNos: plainLineNos.slice(0, lines.length),
    books: bookIds.slice(0, lines.length),
    facts: facts.slice(0, factsUsed),
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
  severity: z.enum(SEVERITIES),
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
  providerNpi: z.string(),
  payer: z.string(),
  rulePack: z.string(),
}) satisfies z.ZodType<LineEcho>;

/** The small parts of a partial: its header line (the fields in the order encodePartial writes them). */
const PARTIAL_HEAD = z.object({
  chunkIndex: z.number().int().nonnegative(),
  checked: z.number().int().nonnegative(),
  indexLines: z.number().int().nonnegative(),
  rejected: z.array(REJECTED_RECORD),
  findings: z.array(FINDING),
  claimFindings: z.array(FINDING),
  echoes: z.array(z.object({ line: z.number().int(), echo: LINE_ECHO })),
  packLines: z.array(z.number().int().nonnegative()),
  payers: z.array(z.string()),
});

/** A partial as bytes (memory/part-codec.ts has the layout), for storage between Lambdas. */
export function encodePartial(partial: ChunkPartial): Buffer {
  const { keys, facts, lines, plainLineNos, books, ...small } = partial;
  return encodePart(small, { lines, keys, plainLineNos, books, facts });
}

/** Reads what encodePartial wrote; throws a BAD_PART ScrubError on anything else. */
export function decodePartial(bytes: Uint8Array): ChunkPartial {
  const { head, body } = decodePart(bytes, PARTIAL_HEAD);
  return { ...head, ...body };
}
