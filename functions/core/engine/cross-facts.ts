/**
 * The facts cross-line rules read: which lines a chunk carries to the merge (those whose code is in
 * some rule's catalog list), the one number a line's code, modifier 25 and place of service pack
 * into, and the facts and echoes read back from the merge's fact store.
 */
import type { FactStore } from '../memory/fact-store.js';
import { INDEX_CODE, MODIFIERS } from '../rules/catalog.js';
import { CROSS_LINE_CODES } from '../rules/code-sets.js';
import type { ClaimLine, LineEcho } from './claim-line.js';
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
  /** The rendering NPI's table id: equal ids, equal NPIs (an empty NPI is one more id). */
  readonly npi: number;
  readonly code: string;
  /** 0 when the units are not a whole number ≥ 1 (left out of unit sums). */
  readonly units: number;
  readonly has25: boolean;
  readonly pos: string;
}

/** Codes a fact can carry, by id (the id is what a partial stores). */
export const FACT_CODES: readonly string[] = [...CROSS_LINE_CODES];
// A code id has 7 bits in the packed fact below.
if (FACT_CODES.length > 0x80) throw new Error(`${FACT_CODES.length} cross-line codes; a fact holds 128`);
const FACT_CODE_ID = new Map(FACT_CODES.map((code, id) => [code, id]));
const TWO_DIGITS = /^\d{2}$/;

/**
 * The code, modifier 25 and place of service of a line that cross-line rules need, in one number:
 * code id (bits 0–6), modifier 25 (bit 7), place of service + 1 (bits 8–15; 0 when not two digits).
 * Undefined for lines no cross-line rule looks at.
 */
export function packedFactOf(line: ClaimLine): number | undefined {
  if (line.memberKey === '' || line.dos === undefined) return undefined;
  const code = FACT_CODE_ID.get(line.code);
  if (code === undefined) return undefined;
  const pos = TWO_DIGITS.test(line.pos) ? Number(line.pos) + 1 : 0;
  return code | (line.modifiers.includes(MODIFIERS.separateEvaluation) ? 0x80 : 0) | (pos << 8);
}

/** Places of service as written (`01` … `99`), by packed value. */
const POS_TEXT = Array.from({ length: 100 }, (_, pos) => String(pos).padStart(2, '0'));

export const factCode = (packed: number): string => FACT_CODES[packed & 0x7f]!;
export const factHas25 = (packed: number): boolean => (packed & 0x80) !== 0;
export const factPos = (packed: number): string => {
  const pos = ((packed >> 8) & 0xff) - 1;
  return pos < 0 ? '' : POS_TEXT[pos]!;
};

export const isIndexFact = (packed: number): boolean => (packed & 0x7f) === FACT_CODE_ID.get(INDEX_CODE);

/** The facts of `rows[from]` … `rows[to - 1]` of the store. */
export function crossFactsAt(store: FactStore, rows: Int32Array, from: number, to: number): CrossFact[] {
  const facts: CrossFact[] = [];
  for (let index = from; index < to; index += 1) {
    const row = rows[index]!;
    const packed = store.packedAt(row);
    facts.push({
      line: store.lineAt(row),
      row,
      dos: store.dateAt(row),
      npi: store.npiAt(row),
      code: factCode(packed),
      units: store.unitsAt(row),
      has25: factHas25(packed),
      pos: factPos(packed),
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
    renderingNpi: store.npiTextAt(row),
  };
}
