/**
 * The member rules that count sessions across this batch and the history: FREQUENCY_EXCEEDED,
 * REPEAT_TOO_SOON and PRIOR_BATCH_DUPLICATE (rules.md B, packs.md "Member history").
 */
import { INDEX_CODE, SESSION_CODES } from './catalog.js';
import type { FindingList } from './findings.js';
import type { History, HistoryRow } from './history.js';
import { type Line, takesPart } from './lines.js';

/** One member's epidural session dates, and this batch's lines on them. */
interface MemberSessions {
  readonly dates: Set<number>;
  /** This batch's 62323 lines by date, in file order. */
  readonly indexLines: Map<number, number[]>;
  /** This batch's 62323/64483/64484 lines by date, in file order. */
  readonly sessionLines: Map<number, number[]>;
  /** Sorted `dates`, made once all are known. */
  sorted: number[];
}

const push = (map: Map<number, number[]>, day: number, line: number): void => {
  const list = map.get(day);
  if (list === undefined) map.set(day, [line]);
  else list.push(line);
};

function memberSessions(lines: readonly Line[], history: History): Map<string, MemberSessions> {
  const members = new Map<string, MemberSessions>();
  const of = (member: string): MemberSessions => {
    let sessions = members.get(member);
    if (sessions === undefined) {
      sessions = { dates: new Set(), indexLines: new Map(), sessionLines: new Map(), sorted: [] };
      members.set(member, sessions);
    }
    return sessions;
  };
  for (const line of lines) {
    if (!takesPart(line) || !SESSION_CODES.has(line.code)) continue;
    const sessions = of(line.member!);
    sessions.dates.add(line.dos!);
    push(sessions.sessionLines, line.dos!, line.line);
    if (line.code === INDEX_CODE) push(sessions.indexLines, line.dos!, line.line);
  }
  for (const row of history.rows) if (SESSION_CODES.has(row.code)) of(row.member).dates.add(row.day);
  for (const sessions of members.values()) sessions.sorted = [...sessions.dates].sort((a, b) => a - b);
  return members;
}

/** Ascending, distinct line numbers of `byDate` on the dates in [from, to]. */
function linesOn(
  sessions: MemberSessions,
  byDate: Map<number, number[]>,
  from: number,
  to: number,
): number[] {
  const found: number[] = [];
  for (const day of sessions.sorted) if (day >= from && day <= to) found.push(...(byDate.get(day) ?? []));
  return found.sort((a, b) => a - b);
}

const countIn = (sessions: MemberSessions, from: number, to: number): number =>
  sessions.sorted.filter((day) => day >= from && day <= to).length;

/** Related lines are shared by every index line of a member and date: computed once per key. */
class Memo {
  private readonly cache = new Map<string, number[]>();
  get(key: string, make: () => number[]): number[] {
    let value = this.cache.get(key);
    if (value === undefined) {
      value = make();
      this.cache.set(key, value);
    }
    return value;
  }
}

function frequencyRule(line: Line, sessions: MemberSessions, memo: Memo, out: FindingList): void {
  const day = line.dos!;
  const settings = line.judge.settings('FREQUENCY_EXCEEDED', day);
  if (!settings.enabled) return;
  const firing = settings.windows.filter(
    (window) => countIn(sessions, day - (window.days - 1), day) > window.limit,
  );
  if (firing.length === 0) return;
  // Every window ends on d, so the union of the firing windows is the widest one; related = the
  // index lines of the other dates in it (the dates before d; later dates are outside every window).
  const widest = Math.max(...firing.map((window) => window.days));
  const from = day - (widest - 1);
  const related = memo.get(`F ${line.member} ${day} ${from}`, () =>
    linesOn(sessions, sessions.indexLines, from, day - 1),
  );
  out.add(line, 'FREQUENCY_EXCEEDED', related);
}

function repeatRule(line: Line, sessions: MemberSessions, memo: Memo, out: FindingList): void {
  const day = line.dos!;
  const settings = line.judge.settings('REPEAT_TOO_SOON', day);
  if (!settings.enabled) return;
  const from = day - (settings.days - 1); // 1 ≤ d − d′ < N  ⇔  d′ ∈ [d − N + 1, d − 1]
  if (countIn(sessions, from, day - 1) === 0) return;
  // "The lines of d′ in this batch" read as its epidural session lines (62323/64483/64484): the
  // lines that make d′ a session date.
  const related = memo.get(`R ${line.member} ${day} ${from}`, () =>
    linesOn(sessions, sessions.sessionLines, from, day - 1),
  );
  out.add(line, 'REPEAT_TOO_SOON', related);
}

const priorKey = (member: string, day: number, npi: string): string => `${member}\u0000${day}\u0000${npi}`;

/** Earlier batches' 62323 rows that can show a prior billing: they need provider_npi and claim_id. */
function priorIndexRows(history: History): Map<string, HistoryRow[]> {
  const byKey = new Map<string, HistoryRow[]>();
  for (const row of history.rows) {
    if (row.code !== INDEX_CODE || row.npi === '' || row.claimId === '') continue;
    const key = priorKey(row.member, row.day, row.npi);
    const rows = byKey.get(key);
    if (rows === undefined) byKey.set(key, [row]);
    else rows.push(row);
  }
  return byKey;
}

export function memberRules(lines: readonly Line[], history: History, out: FindingList): void {
  const members = memberSessions(lines, history);
  const prior = priorIndexRows(history);
  const memo = new Memo();
  for (const line of lines) {
    if (line.code !== INDEX_CODE || !takesPart(line)) continue;
    const sessions = members.get(line.member!)!;
    frequencyRule(line, sessions, memo, out);
    repeatRule(line, sessions, memo, out);
    // The history row's own claim_frequency does not matter: rules.md names only this line's.
    const earlier = prior.get(priorKey(line.member!, line.dos!, line.encounterNpi)) ?? [];
    if (line.frequency === '1' && earlier.some((row) => row.claimId !== line.text.claim_id)) {
      out.add(line, 'PRIOR_BATCH_DUPLICATE');
    }
  }
}
