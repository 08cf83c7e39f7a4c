/**
 * Cross-line facts of a whole batch, stored by column in typed arrays. A big batch has millions of
 * lines that some cross-line rule looks at; as objects they would cost ~300 bytes each, here ~40:
 * members, claims and NPIs become table ids, codes and flags share one packed number.
 */
import { INDEX_CODE } from '../rules/catalog.js';
import { CROSS_LINE_CODES } from './code-sets.js';
import type { CrossFact } from './cross-rules.js';
import type { StringTable } from './string-table.js';
import { StringTable as Table } from './string-table.js';
import { formatCents, parseCents } from './values.js';

const CODE_LIST = [...CROSS_LINE_CODES];
const CODE_ID = new Map(CODE_LIST.map((code, id) => [code, id]));
const INDEX_CODE_ID = CODE_ID.get(INDEX_CODE)!;
const CANONICAL_NUMBER = /^(?:0|[1-9]\d{0,8})$/;

class IntColumn {
  data = new Int32Array(1024);
  set(position: number, value: number): void {
    if (position >= this.data.length) {
      const bigger = new Int32Array(Math.ceil(this.data.length * 1.5));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[position] = value;
  }
}

/** Echo cells that do not fit the columns (rare): kept as written, by row. */
interface Unusual {
  memberId?: string;
  lineNo?: string;
  charge?: string;
}

export class FactStore {
  private count = 0;
  private readonly lines = new IntColumn();
  private readonly members = new IntColumn();
  private readonly dates = new IntColumn();
  private readonly npis = new IntColumn();
  /** Code id (bits 0–6), modifier 25 (bit 7), place of service + 1 (bits 8+; 0 = not a number). */
  private readonly packed = new IntColumn();
  private readonly units = new IntColumn();
  private readonly claims = new IntColumn();
  private readonly lineNumbers = new IntColumn();
  /** Charge in cents; -1 when invalid. */
  private readonly cents = new IntColumn();
  private readonly unusual = new Map<number, Unusual>();
  private readonly npiTable = new Table();

  constructor(
    private readonly memberTable: StringTable,
    private readonly claimTable: StringTable,
  ) {}

  /** Adds a fact; `memberId` and `claimId` are table ids when the caller has them (-1: no claim id). */
  add(
    fact: CrossFact,
    memberId = this.memberTable.intern(fact.member),
    claimId = fact.claimId === '' ? -1 : this.claimTable.intern(fact.claimId),
  ): void {
    const at = this.count;
    const odd: Unusual = {};
    this.lines.set(at, fact.line);
    this.members.set(at, memberId);
    if (fact.memberId !== fact.member) odd.memberId = fact.memberId;
    this.dates.set(at, fact.dos);
    this.npis.set(at, this.npiTable.intern(fact.npi));
    const pos = /^\d{1,2}$/.test(fact.pos) ? Number(fact.pos) + 1 : 0;
    this.packed.set(at, CODE_ID.get(fact.code)! | (fact.has25 ? 0x80 : 0) | (pos << 8));
    this.units.set(at, fact.units);
    this.claims.set(at, claimId);
    const lineNumber = CANONICAL_NUMBER.test(fact.lineNo) ? Number(fact.lineNo) : -1;
    this.lineNumbers.set(at, lineNumber);
    if (lineNumber < 0) odd.lineNo = fact.lineNo;
    const cents = fact.charge === '' ? -1 : (parseCents(fact.charge) ?? -1);
    const fits = cents >= -1 && cents <= 0x7fffffff;
    this.cents.set(at, fits ? cents : -1);
    if (!fits) odd.charge = fact.charge;
    if (odd.memberId !== undefined || odd.lineNo !== undefined || odd.charge !== undefined)
      this.unusual.set(at, odd);
    this.count += 1;
  }

  private fact(at: number): CrossFact {
    const packed = this.packed.data[at]!;
    const pos = (packed >> 8) - 1;
    const member = this.memberTable.keyOf(this.members.data[at]!);
    const odd = this.unusual.get(at);
    const cents = this.cents.data[at]!;
    return {
      line: this.lines.data[at]!,
      member,
      dos: this.dates.data[at]!,
      npi: this.npiTable.keyOf(this.npis.data[at]!),
      code: CODE_LIST[packed & 0x7f]!,
      units: this.units.data[at]!,
      has25: (packed & 0x80) !== 0,
      pos: pos < 0 ? '' : String(pos).padStart(2, '0'),
      memberId: odd?.memberId ?? member,
      claimId: this.claims.data[at]! < 0 ? '' : this.claimTable.keyOf(this.claims.data[at]!),
      lineNo: odd?.lineNo ?? String(this.lineNumbers.data[at]),
      charge: odd?.charge ?? (cents < 0 ? '' : formatCents(cents)),
    };
  }

  /** Calls `visit` once per member that has a 62323 line, with all of that member's facts. */
  forEachMemberWithIndexLines(visit: (facts: CrossFact[]) => void): void {
    const members = this.members.data;
    const withIndex = new Uint8Array(this.memberTable.size);
    for (let at = 0; at < this.count; at += 1) {
      if ((this.packed.data[at]! & 0x7f) === INDEX_CODE_ID) withIndex[members[at]!] = 1;
    }
    const selected: number[] = [];
    for (let at = 0; at < this.count; at += 1) if (withIndex[members[at]!] === 1) selected.push(at);
    selected.sort((a, b) => members[a]! - members[b]! || a - b);
    let start = 0;
    while (start < selected.length) {
      const member = members[selected[start]!]!;
      const group: CrossFact[] = [];
      let end = start;
      while (end < selected.length && members[selected[end]!] === member)
        group.push(this.fact(selected[end++]!));
      visit(group);
      start = end;
    }
  }

  /** Member keys that have a 62323 line. */
  membersWithIndexLines(): string[] {
    const seen = new Set<number>();
    for (let at = 0; at < this.count; at += 1) {
      if ((this.packed.data[at]! & 0x7f) === INDEX_CODE_ID) seen.add(this.members.data[at]!);
    }
    return [...seen].map((id) => this.memberTable.keyOf(id));
  }
}
