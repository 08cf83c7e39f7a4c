/**
 * Cross-line facts of a whole batch, stored by column in typed arrays. A big batch has millions of
 * lines that some cross-line rule looks at; as objects they would cost ~300 bytes each, here ~40:
 * members, claims and NPIs become table ids, codes and flags share one packed number.
 */
import { BIG_CHARGE, NO_CHARGE } from './check-chunk.js';
import type { LineEcho } from './claim-line.js';
import { type CrossFact, factCode, factHas25, factPos, isIndexFact } from './cross-rules.js';
import { Int32Pages } from './int-pages.js';
import { CELL, cellText, KEY_CELL_COUNT, type PackedKeys } from './packed-keys.js';
import { StringTable } from './string-table.js';
import { breathe } from './time-slice.js';
import { formatCents, formatDay, parseCents } from './values.js';

/** Echo cells that do not fit the columns (rare): kept as written, by row. */
interface Unusual {
  memberId?: string;
  lineNo?: string;
  charge?: string;
}

export class FactStore {
  private count = 0;
  private readonly lines = new Int32Pages();
  private readonly members = new Int32Pages();
  private readonly dates = new Int32Pages();
  private readonly npis = new Int32Pages();
  private readonly packed = new Int32Pages();
  private readonly units = new Int32Pages();
  /** Claim table id; -1 when the line has no claim id. */
  private readonly claims = new Int32Pages();
  private readonly lineNumbers = new Int32Pages();
  /** Charge in cents; -1 when invalid or too big (then the text is in `unusual`). */
  private readonly cents = new Int32Pages();
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
    lineNumber: number,
    cents: number,
    keys: PackedKeys,
    position: number,
  ): void {
    const at = this.count;
    const base = position * KEY_CELL_COUNT;
    const npiStart = keys.ends[base + CELL.npi - 1]!;
    this.lines.set(at, line);
    this.members.set(at, member);
    this.dates.set(at, dos);
    this.npis.set(at, this.npiTable.internBytes(keys.bytes, npiStart, keys.ends[base + CELL.npi]!));
    this.packed.set(at, packed);
    this.units.set(at, units);
    this.claims.set(at, claim);
    // The cells below are read as text only in the rare cases the numbers cannot hold them.
    const memberIdCell = base + CELL.memberId;
    const memberId =
      keys.ends[memberIdCell]! > keys.ends[memberIdCell - 1]!
        ? cellText(keys, position, CELL.memberId)
        : undefined;
    this.lineNumbers.set(at, lineNumber);
    const lineNo = lineNumber < 0 ? cellText(keys, position, CELL.lineNo) : undefined;
    this.cents.set(at, cents === BIG_CHARGE ? NO_CHARGE : cents);
    const charge =
      cents === BIG_CHARGE ? formatCents(parseCents(cellText(keys, position, CELL.chargeText))!) : undefined;
    const odd: Unusual | undefined =
      memberId === undefined && lineNo === undefined && charge === undefined
        ? undefined
        : {
            ...(memberId === undefined ? {} : { memberId }),
            ...(lineNo === undefined ? {} : { lineNo }),
            ...(charge === undefined ? {} : { charge }),
          };
    if (odd !== undefined) this.unusual.set(at, odd);
    this.count += 1;
  }

  private fact(at: number): CrossFact {
    const packed = this.packed.get(at);
    return {
      line: this.lines.get(at),
      row: at,
      dos: this.dates.get(at),
      npi: this.npis.get(at),
      code: factCode(packed),
      units: this.units.get(at),
      has25: factHas25(packed),
      pos: factPos(packed),
    };
  }

  /** The report's echo of the line a fact came from. */
  echoOf(fact: CrossFact): LineEcho {
    const at = fact.row;
    const odd = this.unusual.get(at);
    const cents = this.cents.get(at);
    const claim = this.claims.get(at);
    return {
      claimId: claim < 0 ? '' : this.claimTable.keyOf(claim),
      lineNo: odd?.lineNo ?? String(this.lineNumbers.get(at)),
      memberId: odd?.memberId ?? this.memberTable.keyOf(this.members.get(at)),
      dateOfService: formatDay(fact.dos),
      procedureCode: fact.code,
      charge: odd?.charge ?? (cents < 0 ? '' : formatCents(cents)),
      renderingNpi: this.npiTable.keyOf(fact.npi),
    };
  }

  /** The member key of a fact. */
  memberOf(fact: CrossFact): string {
    return this.memberTable.keyOf(this.members.get(fact.row));
  }

  /**
   * Calls `visit` once per member that has a 62323 line, with all of that member's facts; lets the
   * event loop in between members now and then (a big partition has hundreds of thousands).
   */
  async forEachMemberWithIndexLines(visit: (facts: CrossFact[]) => void): Promise<void> {
    const members = this.members;
    const memberCount = this.memberTable.size;
    const withIndex = new Uint8Array(memberCount);
    for (let at = 0; at < this.count; at += 1) {
      if (isIndexFact(this.packed.get(at))) withIndex[members.get(at)] = 1;
    }
    // A counting sort by member: each member's facts stay in the order they were added.
    const groupStart = new Int32Array(memberCount + 1);
    for (let at = 0; at < this.count; at += 1) {
      const member = members.get(at);
      if (withIndex[member] === 1) groupStart[member + 1]! += 1;
    }
    for (let member = 0; member < memberCount; member += 1) groupStart[member + 1]! += groupStart[member]!;
    const order = new Int32Array(groupStart[memberCount]!);
    const filled = groupStart.slice(0, memberCount);
    for (let at = 0; at < this.count; at += 1) {
      const member = members.get(at);
      if (withIndex[member] === 1) order[filled[member]!++] = at;
    }
    for (let member = 0; member < memberCount; member += 1) {
      if ((member & 255) === 0) {
        const pause = breathe();
        if (pause) await pause;
      }
      const end = groupStart[member + 1]!;
      if (groupStart[member] === end) continue;
      const group: CrossFact[] = [];
      for (let index = groupStart[member]!; index < end; index += 1) group.push(this.fact(order[index]!));
      visit(group);
    }
  }

  /** Member keys that have a 62323 line. */
  membersWithIndexLines(): string[] {
    const seen = new Set<number>();
    for (let at = 0; at < this.count; at += 1) {
      if (isIndexFact(this.packed.get(at))) seen.add(this.members.get(at));
    }
    return [...seen].map((id) => this.memberTable.keyOf(id));
  }
}
