/**
 * Member history as the core sees it: the sessions earlier batches recorded, and the store that keeps
 * them. Declared here (not in pipeline/ports.ts) because the rules consume the records; the pipeline,
 * the CLI and the adapters (DynamoDB, a CSV file, memory) all meet at this one shape.
 */
import { z } from 'zod';
import type { HistorySource } from './engine/accumulator.js';
import { memberKeyOf } from './engine/claim-line.js';
import { parseDate } from './engine/values.js';
import { ScrubError } from './errors.js';
import { SETS } from './rules/code-sets.js';
import type { PriorSession } from './rules/history.js';

/** Records live at least this long after the later of their date of service and their batch's date. */
export const HISTORY_RETENTION_DAYS = 400;

/** Trimmed and compared without regard to case, as in a batch (memberKeyOf). */
export const normalMemberKey = (memberId: string): string => memberKeyOf(memberId.trim());

// Bounds keep every record a valid DynamoDB item: a partition key takes at most 2,048 bytes (512
// characters of up to 4 bytes each), and no cell in a checked line is longer than 2,000 characters.
const cell = z.string().max(2000);
// '#' separates the parts of the sort key, so a batch id may not hold one.
const batchId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^#]+$/, { error: 'a batch id may not contain #' });

/**
 * One session of one earlier batch: a checked line whose code counts toward the frequency limit and
 * whose member and date were valid. `batchId` and `line` name it: the same batch and line is the same
 * record, which is what makes recording idempotent.
 */
export const SessionRecordSchema = z.object({
  memberKey: z.string().max(512).transform(normalMemberKey).pipe(z.string().min(1)),
  /** YYYY-MM-DD: sortable as text (the DynamoDB sort key starts with it) and readable in a CSV. */
  dateOfService: z.iso.date(),
  procedureCode: z.string().max(16).trim().toUpperCase().pipe(z.string().min(1)),
  /** The encounter's provider NPI as written ('' when the line had none). */
  providerNpi: cell,
  claimId: cell,
  /** line_no as written: it need not be a number. */
  lineNo: cell,
  claimFrequency: cell,
  batchId,
  /** The line of the batch file the session came from, as the report numbers lines. */
  line: z.int().min(1),
});

export type SessionRecord = z.output<typeof SessionRecordSchema>;
export type SessionRecordInput = z.input<typeof SessionRecordSchema>;

export interface RecordOptions {
  /**
   * The batch's own date (its as-of date, YYYY-MM-DD): with the date of service it sets the expiry,
   * so a retry of the same batch computes the same expiry and writes the same items.
   */
  readonly recordedOn: string;
}

/** Where sessions of earlier batches are kept. Implemented in functions/adapters/. */
export interface HistoryStore {
  /**
   * Every kept session of these members, except those of `excludeBatchId` (a batch's own lines count
   * from the batch itself, never twice). Keys are normalised; a member with no session is absent; each
   * member's records come in date-of-service order.
   */
  lookup(memberKeys: readonly string[], excludeBatchId: string): Promise<Map<string, SessionRecord[]>>;
  /** Keeps these sessions. Writing the same records again leaves exactly the same stored items. */
  record(records: readonly SessionRecordInput[], options: RecordOptions): Promise<void>;
}

/**
 * A store that can also hand over everything it keeps (`scrub62323 history export`). Apart from
 * HistoryStore because the pipeline never needs it: a function's role cannot scan the table.
 */
export interface HistoryArchive extends HistoryStore {
  /** Every kept record, a page at a time, in the store's own order; expired ones are left out. */
  records(): AsyncIterable<readonly SessionRecord[]>;
}

/** Within a member: date first, so a store sorted by it returns sessions in date order. */
export const sessionKeyOf = (record: SessionRecord): string =>
  `${record.dateOfService}#${record.batchId}#${record.line}`;

export const sessionDayOf = (record: SessionRecord): number => parseDate(record.dateOfService)!;

/** The batch's date as a day number: refused before anything is written when it is not a date. */
export function recordedDayOf(options: RecordOptions): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(options.recordedOn) ? parseDate(options.recordedOn) : undefined;
  if (day === undefined) throw new ScrubError('BAD_HISTORY_RECORD', 'recordedOn is not a YYYY-MM-DD date');
  return day;
}

/** When a record may be dropped (epoch seconds, UTC midnight): retention counts from the later date. */
export const expiryOf = (record: SessionRecord, recordedDay: number): number =>
  (Math.max(sessionDayOf(record), recordedDay) + HISTORY_RETENTION_DAYS) * 86_400;

/** Validates records before any is written: a bad one names its position, never its values. */
export function parseSessionRecords(records: readonly SessionRecordInput[]): SessionRecord[] {
  return records.map((record, index) => {
    const parsed = SessionRecordSchema.safeParse(record);
    if (parsed.success) return parsed.data;
    const field = parsed.error.issues[0]?.path.join('.') ?? '?';
    throw new ScrubError('BAD_HISTORY_RECORD', `history record ${index + 1}: ${field} is not valid`);
  });
}

/** Drops repeats of the same member and session key (BatchWriteItem refuses a key twice per call). */
export function distinctRecords(records: readonly SessionRecord[]): SessionRecord[] {
  const seen = new Map<string, SessionRecord>();
  for (const record of records) seen.set(`${record.memberKey}\u0000${sessionKeyOf(record)}`, record);
  return [...seen.values()];
}

/** The engine's view of a store: each member's sessions of earlier batches, as the rules read them. */
export function historySourceOf(store: HistoryStore, excludeBatchId: string): HistorySource {
  return {
    async priorSessions(members) {
      const found = await store.lookup(members, excludeBatchId);
      const sessions = new Map<string, PriorSession[]>();
      for (const [member, records] of found) {
        const kept = records.filter((r) => SETS.frequencyCounted.has(r.procedureCode)).map(priorSessionOf);
        if (kept.length > 0) sessions.set(member, kept);
      }
      return sessions;
    },
  };
}

export const priorSessionOf = (record: SessionRecord): PriorSession => ({
  day: sessionDayOf(record),
  code: record.procedureCode,
  npi: record.providerNpi,
  claimId: record.claimId,
  batchId: record.batchId,
});
