/**
 * The facts cross-line rules read: which lines a chunk carries to the merge (those whose code is in
 * some rule's catalog list), the one number a line's code, modifier 25 and place of service pack
 * into, and the facts and echoes read back from the merge's fact store.
 */

import type { SessionRecordInput } from '../history-port.js';
import type { FactStore } from '../memory/fact-store.js';
import type { Book, RuleBooks } from '../rules/books.js';
import { CODES, INDEX_CODE, MODIFIERS } from '../rules/catalog.js';
import { CROSS_LINE_CODES, isAnesthesiaCode } from '../rules/code-sets.js';
import { CLAIM_FREQUENCIES, type ClaimFrequency, type ClaimLine, type LineEcho } from './claim-line.js';
import { formatCents, formatDay, parseCents } from './values.js';

/**
 * What a cross-line rule needs to know of one line. Numbers where the rules only compare: the
 * merge echoes a flagged line from its fact store row, so unflagged lines never become strings.
 */
export interface CrossFact {
  readonly line: number;
  /** Where the fact store keeps the line (for its echo). */
  readonly row: number;
  readonly dos: number;
  /** The encounter NPI's table id: equal ids, equal NPIs (an empty NPI is one more id). */
  readonly npi: number;
  readonly code: string;
  /** 0 when the units are not a whole number ≥ 1 (left out of unit sums). */
  readonly units: number;
  readonly has25: boolean;
  readonly pos: string;
  readonly claimFrequency: ClaimFrequency;
  /** The book that judges the line. */
  readonly book: Book;
}

/** Codes a fact can carry by id (the id is what a partial stores); any other code is OTHER_CODE. */
export const FACT_CODES: readonly string[] = [...CROSS_LINE_CODES];
/** A carried code outside the catalog lists (an anesthesia code, a pack's imaging code): its text is kept aside. */
export const OTHER_CODE = 0x7f;
// A code id has 7 bits in the packed fact below.
if (FACT_CODES.length >= OTHER_CODE)
  throw new Error(`${FACT_CODES.length} cross-line codes; a fact holds 127`);
const FACT_CODE_ID = new Map(FACT_CODES.map((code, id) => [code, id]));
const TWO_DIGITS = /^\d{2}$/;
const BOOK_SHIFT = 18;

/** Which lines a batch carries to the merge: the catalog's lists, anesthesia codes, and the packs' lists. */
export class FactCodes {
  private readonly extra: ReadonlySet<string>;

  constructor(books: RuleBooks) {
    this.extra = books.listedProcedureCodes();
  }

  idOf(code: string): number | undefined {
    const id = FACT_CODE_ID.get(code);
    if (id !== undefined) return id;
    return isAnesthesiaCode(code) || this.extra.has(code) ? OTHER_CODE : undefined;
  }
}

/**
 * What cross-line rules need of a line beyond its numbers, in one number: code id (bits 0–6),
 * modifier 25 (bit 7), place of service + 1 (bits 8–15; 0 when not two digits), claim frequency 7
 * (bits 16–17: the index in CLAIM_FREQUENCIES) and the book id (bits 18–30). Undefined for lines no cross-line rule looks at.
 */
export function packedFactOf(line: ClaimLine, codes: FactCodes, book: number): number | undefined {
  if (line.memberKey === '' || line.dos === undefined) return undefined;
  const code = codes.idOf(line.code);
  if (code === undefined) return undefined;
  const pos = TWO_DIGITS.test(line.pos) ? Number(line.pos) + 1 : 0;
  return (
    code |
    (line.modifiers.includes(MODIFIERS.separateEvaluation) ? 0x80 : 0) |
    (pos << 8) |
    (CLAIM_FREQUENCIES.indexOf(line.claimFrequency) << 16) |
    (book << BOOK_SHIFT)
  );
}

/** Places of service as written (`01` … `99`), by packed value. */
const POS_TEXT = Array.from({ length: 100 }, (_, pos) => String(pos).padStart(2, '0'));

export const factCodeId = (packed: number): number => packed & 0x7f;
const factCode = (packed: number): string | undefined => FACT_CODES[packed & 0x7f];
export const factHas25 = (packed: number): boolean => (packed & 0x80) !== 0;
export const factPos = (packed: number): string => {
  const pos = ((packed >> 8) & 0xff) - 1;
  return pos < 0 ? '' : POS_TEXT[pos]!;
};

export const factBook = (packed: number): number => packed >>> BOOK_SHIFT;
const factClaimFrequency = (packed: number): ClaimFrequency => CLAIM_FREQUENCIES[(packed >> 16) & 0x3]!;

const INDEX_ID = FACT_CODE_ID.get(INDEX_CODE)!;
/** Code ids of the epidural session codes (62323, 64483, 64484): what history records. */
const SESSION_IDS = new Set(CODES.frequencyCounted.map((code) => FACT_CODE_ID.get(code)!));
export const isSessionFact = (packed: number): boolean => SESSION_IDS.has(packed & 0x7f);

/** The history record of a session row (its batch id given). */
export function sessionRecordAt(store: FactStore, row: number, batchId: string): SessionRecordInput {
  const packed = store.packedAt(row);
  return {
    memberKey: store.memberKeyAt(row),
    dateOfService: formatDay(store.dateAt(row)),
    procedureCode: factCode(packed)!,
    providerNpi: store.npiTextAt(row),
    claimId: store.claimIdAt(row),
    lineNo: store.lineNoAt(row),
    claimFrequency: factClaimFrequency(packed),
    batchId,
    line: store.lineAt(row),
  };
}
export const isIndexFact = (packed: number): boolean => (packed & 0x7f) === INDEX_ID;

/** The facts of `rows[from]` … `rows[to - 1]` of the store. */
export function crossFactsAt(
  store: FactStore,
  rows: Int32Array,
  from: number,
  to: number,
  books: RuleBooks,
): CrossFact[] {
  const facts: CrossFact[] = [];
  for (let index = from; index < to; index += 1) {
    const row = rows[index]!;
    const packed = store.packedAt(row);
    facts.push({
      line: store.lineAt(row),
      row,
      dos: store.dateAt(row),
      npi: store.npiAt(row),
      code: factCode(packed) ?? store.otherCodeAt(row),
      units: store.unitsAt(row),
      has25: factHas25(packed),
      pos: factPos(packed),
      claimFrequency: factClaimFrequency(packed),
      book: books.books[factBook(packed)]!,
    });
  }
  return facts;
}

/** The report's echo of the line a fact came from. */
export function echoOfFact(store: FactStore, fact: CrossFact): LineEcho {
  const { row } = fact;
  const big = store.bigChargeAt(row);
  const cents = store.centsAt(row);
  return {
    claimId: store.claimIdAt(row),
    lineNo: store.lineNoAt(row),
    memberId: store.memberIdAt(row),
    dateOfService: formatDay(fact.dos),
    procedureCode: fact.code,
    charge: big !== undefined ? formatCents(parseCents(big)!) : cents < 0 ? '' : formatCents(cents),
    providerNpi: store.npiTextAt(row),
    payer: store.payerAt(row),
    rulePack: fact.book.packName,
  };
}
