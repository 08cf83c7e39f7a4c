/**
 * Cross-line facts of a whole batch, stored by column in typed arrays. A big batch has millions of
 * lines that some cross-line rule looks at; as objects they would cost ~300 bytes each, here ~40:
 * members, claims and NPIs become table ids, codes and flags share one packed number.
 */
import type { CrossFact } from './cross-rules.js';
import { isIndexFact, unpackFact } from './cross-rules.js';
import { CELL, cellText, KEY_CELL_COUNT, type PackedKeys } from './packed-keys.js';
import { StringTable } from './string-table.js';
import { formatCents, parseCents } from './values.js';

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
  private readonly packed = new IntColumn();
  private readonly units = new IntColumn();
  /** Claim table id; -1 when the line has no claim id. */
  private readonly claims = new IntColumn();
  private readonly lineNumbers = new IntColumn();
  /** Charge in cents; -1 when invalid. */
  private readonly cents = new IntColumn();
  private readonly unusual = new Map<number, Unusual>();
  private readonly npiTable = new StringTable();

  constructor(
    private readonly memberTable: StringTable,
    private readonly claimTable: StringTable,
  ) {}

  /**
   * Adds the fact of the line at `position` of a partial's keys. `member` and `claim` are the table
   * ids the caller just looked up for that line (-1: no claim id).
   */
  add(
    line: number,
    member: number,
    claim: number,
    dos: number,
    units: number,
    packed: number,
    keys: PackedKeys,
    position: number,
  ): void {
    const at = this.count;
    const odd: Unusual = {};
    const base = position * KEY_CELL_COUNT;
    const npiStart = keys.ends[base + CELL.npi - 1]!;
    this.lines.set(at, line);
    this.members.set(at, member);
    this.dates.set(at, dos);
    this.npis.set(at, this.npiTable.internBytes(keys.bytes, npiStart, keys.ends[base + CELL.npi]!));
    this.packed.set(at, packed);
    this.units.set(at, units);
    this.claims.set(at, claim);
    const memberId = cellText(keys, position, CELL.memberId);
    if (memberId !== '') odd.memberId = memberId;
    const lineNo = cellText(keys, position, CELL.lineNo);
    const lineNumber = CANONICAL_NUMBER.test(lineNo) ? Number(lineNo) : -1;
    this.lineNumbers.set(at, lineNumber);
    if (lineNumber < 0) odd.lineNo = lineNo;
    const chargeText = cellText(keys, position, CELL.chargeText);
    const cents = chargeText === '' ? -1 : (parseCents(chargeText) ?? -1);
    const valid = cents > 0;
    const fits = cents <= 0x7fffffff;
    this.cents.set(at, valid && fits ? cents : -1);
    if (valid && !fits) odd.charge = formatCents(cents);
    if (odd.memberId !== undefined || odd.lineNo !== undefined || odd.charge !== undefined)
      this.unusual.set(at, odd);
    this.count += 1;
  }

  private fact(at: number): CrossFact {
    const member = this.memberTable.keyOf(this.members.data[at]!);
    const odd = this.unusual.get(at);
    const cents = this.cents.data[at]!;
    const claim = this.claims.data[at]!;
    return {
      line: this.lines.data[at]!,
      member,
      dos: this.dates.data[at]!,
      npi: this.npiTable.keyOf(this.npis.data[at]!),
      ...unpackFact(this.packed.data[at]!),
      units: this.units.data[at]!,
      memberId: odd?.memberId ?? member,
      claimId: claim < 0 ? '' : this.claimTable.keyOf(claim),
      lineNo: odd?.lineNo ?? String(this.lineNumbers.data[at]),
      charge: odd?.charge ?? (cents < 0 ? '' : formatCents(cents)),
    };
  }

  /** Calls `visit` once per member that has a 62323 line, with all of that member's facts. */
  forEachMemberWithIndexLines(visit: (facts: CrossFact[]) => void): void {
    const members = this.members.data;
    const withIndex = new Uint8Array(this.memberTable.size);
    for (let at = 0; at < this.count; at += 1) {
      if (isIndexFact(this.packed.data[at]!)) withIndex[members[at]!] = 1;
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
      if (isIndexFact(this.packed.data[at]!)) seen.add(this.members.data[at]!);
    }
    return [...seen].map((id) => this.memberTable.keyOf(id));
  }
}
