/**
 * Cross-line facts of a whole batch, stored by column in typed arrays. A big batch has millions of
 * lines that some cross-line rule looks at; as objects they would cost ~300 bytes each, here ~40:
 * members, claims and NPIs become table ids, and what the rules compare is one packed number that
 * the store keeps without reading it.
 */
import { Int32Pages } from './int-pages.js';
import { CELL, cellText, KEY_CELL_COUNT, type PackedKeys } from './packed-keys.js';
import { StringTable } from './string-table.js';

/**
 * A partial's facts are FACT_WIDTH int32s a line: the line's position in the partial, date of
 * service (day number), units (0 when invalid), the packed number, the charge (chargeFact), and the
 * payer (an index into the partial's `payers`: a chunk has few, so the merge interns each once).
 */
export const FACT_WIDTH = 6;
/** Charge in cents for a fact: NO_CHARGE when missing, invalid or not positive; BIG_CHARGE when too big for int32. */
export const NO_CHARGE = -1;
export const BIG_CHARGE = -2;
export const chargeFact = (cents: number | undefined): number =>
  cents === undefined || cents <= 0 ? NO_CHARGE : cents > 0x7fffffff ? BIG_CHARGE : cents;

/** Cells that do not fit the columns (rare): kept as written, by row. */
interface Unusual {
  memberId?: string;
  lineNo?: string;
  charge?: string;
  /** A code the packed number holds no id for. */
  code?: string;
}

/** The packed number's code id of a code kept as text (cross-facts.ts OTHER_CODE). */
const OTHER_CODE = 0x7f;

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
  /** Charge in cents; NO_CHARGE when invalid or too big (then the text is in `unusual`). */
  private readonly cents = new Int32Pages();
  private readonly payers = new Int32Pages();
  private readonly unusual = new Map<number, Unusual>();
  private readonly npiTable = new StringTable();
  private readonly payerTable = new StringTable();

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
    payer: number,
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
    this.payers.set(at, payer);
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
    const charge = cents === BIG_CHARGE ? cellText(keys, position, CELL.chargeText) : undefined;
    const code = (packed & 0x7f) === OTHER_CODE ? cellText(keys, position, CELL.code) : undefined;
    const odd: Unusual | undefined =
      memberId === undefined && lineNo === undefined && charge === undefined && code === undefined
        ? undefined
        : {
            ...(memberId === undefined ? {} : { memberId }),
            ...(lineNo === undefined ? {} : { lineNo }),
            ...(charge === undefined ? {} : { charge }),
            ...(code === undefined ? {} : { code }),
          };
    if (odd !== undefined) this.unusual.set(at, odd);
    this.count += 1;
  }

  /** The payer's table id (the same payer, the same id). */
  payerId(payer: string): number {
    return this.payerTable.intern(payer);
  }

  lineAt(row: number): number {
    return this.lines.get(row);
  }

  dateAt(row: number): number {
    return this.dates.get(row);
  }

  /** The encounter NPI's table id: equal ids, equal NPIs. */
  npiAt(row: number): number {
    return this.npis.get(row);
  }

  packedAt(row: number): number {
    return this.packed.get(row);
  }

  unitsAt(row: number): number {
    return this.units.get(row);
  }

  claimIdAt(row: number): string {
    const claim = this.claims.get(row);
    return claim < 0 ? '' : this.claimTable.keyOf(claim);
  }

  lineNoAt(row: number): string {
    return this.unusual.get(row)?.lineNo ?? String(this.lineNumbers.get(row));
  }

  /** The member id as written (its key when written the same way). */
  memberIdAt(row: number): string {
    return this.unusual.get(row)?.memberId ?? this.memberKeyAt(row);
  }

  memberKeyAt(row: number): string {
    return this.memberTable.keyOf(this.members.get(row));
  }

  npiTextAt(row: number): string {
    return this.npiTable.keyOf(this.npis.get(row));
  }

  payerAt(row: number): string {
    return this.payerTable.keyOf(this.payers.get(row));
  }

  /** The code of a row whose packed number holds no code id. */
  otherCodeAt(row: number): string {
    return this.unusual.get(row)?.code ?? '';
  }

  /** Charge in cents, or NO_CHARGE (see bigChargeAt). */
  centsAt(row: number): number {
    return this.cents.get(row);
  }

  /** The charge as written when it is too big for the cents column; else undefined. */
  bigChargeAt(row: number): string | undefined {
    return this.unusual.get(row)?.charge;
  }

  /**
   * Calls `visit` once per member that has a row whose packed number `selects`, with all of that
   * member's rows: `rows[from]` … `rows[to - 1]`, in the order they were added. Every 256 members it
   * awaits what `pause` returns, if anything: a caller on the main thread lets signals in that way.
   */
  async forEachMemberWhere(
    selects: (packed: number) => boolean,
    visit: (rows: Int32Array, from: number, to: number) => void,
    pause: () => Promise<void> | undefined = () => undefined,
  ): Promise<void> {
    const members = this.members;
    const memberCount = this.memberTable.size;
    const selected = new Uint8Array(memberCount);
    for (let at = 0; at < this.count; at += 1) {
      if (selects(this.packed.get(at))) selected[members.get(at)] = 1;
    }
    // A counting sort by member: each member's rows stay in the order they were added.
    const groupStart = new Int32Array(memberCount + 1);
    for (let at = 0; at < this.count; at += 1) {
      const member = members.get(at);
      if (selected[member] === 1) groupStart[member + 1]! += 1;
    }
    for (let member = 0; member < memberCount; member += 1) groupStart[member + 1]! += groupStart[member]!;
    const order = new Int32Array(groupStart[memberCount]!);
    const filled = groupStart.slice(0, memberCount);
    for (let at = 0; at < this.count; at += 1) {
      const member = members.get(at);
      if (selected[member] === 1) order[filled[member]!++] = at;
    }
    for (let member = 0; member < memberCount; member += 1) {
      if ((member & 255) === 0) {
        const pausing = pause();
        if (pausing) await pausing;
      }
      const end = groupStart[member + 1]!;
      if (groupStart[member] !== end) visit(order, groupStart[member]!, end);
    }
  }

  /** Calls `visit` with every row whose packed number `selects`, in the order rows were added. */
  forEachRowWhere(selects: (packed: number) => boolean, visit: (row: number) => void): void {
    for (let at = 0; at < this.count; at += 1) if (selects(this.packed.get(at))) visit(at);
  }

  /** Member keys that have a row whose packed number `selects`. */
  membersWhere(selects: (packed: number) => boolean): string[] {
    const seen = new Set<number>();
    for (let at = 0; at < this.count; at += 1) {
      if (selects(this.packed.get(at))) seen.add(this.members.get(at));
    }
    return [...seen].map((id) => this.memberTable.keyOf(id));
  }
}
