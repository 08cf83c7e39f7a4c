/**
 * Cross-line facts of a whole batch, stored by column in typed arrays. A big batch has hundreds of
 * thousands of lines that some cross-line rule looks at; as objects they would cost ~300 bytes each,
 * here ~80 (members, NPIs and codes become table ids; the echo cells sit in one byte arena).
 */
import { INDEX_CODE } from '../rules/catalog.js';
import { CROSS_LINE_CODES } from './code-sets.js';
import type { CrossFact } from './cross-rules.js';
import { StringTable } from './string-table.js';

const CODE_LIST = [...CROSS_LINE_CODES];
const CODE_ID = new Map(CODE_LIST.map((code, id) => [code, id]));
const INDEX_CODE_ID = CODE_ID.get(INDEX_CODE)!;

class IntColumn {
  data = new Int32Array(1024);
  push(position: number, value: number): void {
    if (position >= this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[position] = value;
  }
}

export class FactStore {
  private count = 0;
  private readonly lines = new IntColumn();
  private readonly members = new IntColumn();
  private readonly dates = new IntColumn();
  private readonly npis = new IntColumn();
  private readonly codes = new IntColumn();
  private readonly units = new IntColumn();
  /** Bit 0: modifier 25; bits 8+: place of service + 1 (0 = not a number). */
  private readonly flags = new IntColumn();
  private readonly rawStart = new IntColumn();
  private raw = Buffer.alloc(1 << 16);
  private rawUsed = 0;
  private readonly npiTable = new StringTable();

  constructor(private readonly memberTable: StringTable) {}

  get size(): number {
    return this.count;
  }

  add(fact: CrossFact): void {
    const at = this.count;
    this.lines.push(at, fact.line);
    this.members.push(at, this.memberTable.upsert(fact.member, 0).id);
    this.dates.push(at, fact.dos);
    this.npis.push(at, this.npiTable.upsert(fact.npi, 0).id);
    this.codes.push(at, CODE_ID.get(fact.code) ?? -1);
    this.units.push(at, fact.units);
    const pos = /^\d{1,2}$/.test(fact.pos) ? Number(fact.pos) + 1 : 0;
    this.flags.push(at, (fact.has25 ? 1 : 0) | (pos << 8));
    const length = Buffer.byteLength(fact.raw);
    if (this.rawUsed + length > this.raw.length) {
      const bigger = Buffer.alloc(Math.max(this.raw.length * 2, this.rawUsed + length));
      this.raw.copy(bigger, 0, 0, this.rawUsed);
      this.raw = bigger;
    }
    this.rawStart.push(at, this.rawUsed);
    this.rawUsed += this.raw.write(fact.raw, this.rawUsed);
    this.count += 1;
  }

  private fact(at: number): CrossFact {
    const flags = this.flags.data[at]!;
    const pos = (flags >> 8) - 1;
    const end = at + 1 < this.count ? this.rawStart.data[at + 1]! : this.rawUsed;
    return {
      line: this.lines.data[at]!,
      member: this.memberTable.keyOf(this.members.data[at]!),
      dos: this.dates.data[at]!,
      npi: this.npiTable.keyOf(this.npis.data[at]!),
      code: CODE_LIST[this.codes.data[at]!]!,
      units: this.units.data[at]!,
      has25: (flags & 1) === 1,
      pos: pos < 0 ? '' : String(pos).padStart(2, '0'),
      raw: this.raw.toString('utf8', this.rawStart.data[at]!, end),
    };
  }

  /** Calls `visit` once per member that has a 62323 line, with all of that member's facts. */
  forEachMemberWithIndexLines(visit: (facts: CrossFact[]) => void): void {
    const withIndex = new Uint8Array(this.memberTable.size);
    for (let at = 0; at < this.count; at += 1) {
      if (this.codes.data[at] === INDEX_CODE_ID) withIndex[this.members.data[at]!] = 1;
    }
    const selected: number[] = [];
    for (let at = 0; at < this.count; at += 1) if (withIndex[this.members.data[at]!] === 1) selected.push(at);
    const members = this.members.data;
    selected.sort((a, b) => members[a]! - members[b]! || a - b);
    let start = 0;
    while (start < selected.length) {
      const member = members[selected[start]!]!;
      let end = start;
      const group: CrossFact[] = [];
      while (end < selected.length && members[selected[end]!] === member) group.push(this.fact(selected[end++]!));
      visit(group);
      start = end;
    }
  }

  /** Member keys that have a 62323 line. */
  membersWithIndexLines(): string[] {
    const seen = new Set<number>();
    for (let at = 0; at < this.count; at += 1) {
      if (this.codes.data[at] === INDEX_CODE_ID) seen.add(this.members.data[at]!);
    }
    return [...seen].map((id) => this.memberTable.keyOf(id));
  }
}
