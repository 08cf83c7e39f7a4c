/**
 * Nightly batches whose findings need the member history of the batches before them (all data made
 * up): one member's five 62323 sessions of one year over three batches, so the fifth, in the third
 * batch, is one more than the default limit (4 in 365 days); and a line billed again on a new claim.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { batch, type LineInput } from './batch.js';

export const HISTORY_AS_OF = '2026-11-28';
/** The member with five sessions. */
export const FREQUENT_MEMBER = 'MBR-FREQ-01';

/** The sessions of each batch: two, two, then the fifth. */
export const SESSION_DATES = [['2026-01-12', '2026-03-09'], ['2026-05-11', '2026-07-13'], ['2026-09-14']];

/** A member with one session per batch, on dates far apart: never flagged. */
const quietLine = (index: number): LineInput => ({
  claim_id: `CLM-Q${index}`,
  member_id: `MBR-QUIET-${index}`,
  date_of_service: `2026-0${index + 1}-20`,
});

/** Batch `index` (0-based) of the three, as CSV text. */
export function nightlyBatch(index: number): string {
  const sessions = SESSION_DATES[index]!.map(
    (date, at): LineInput => ({
      claim_id: `CLM-F${index}${at}`,
      member_id: FREQUENT_MEMBER,
      date_of_service: date,
    }),
  );
  return batch([...sessions, quietLine(index)]);
}

/** Writes the three batches into `folder` as nightly-1.csv … nightly-3.csv; returns their paths. */
export async function writeNightlyBatches(folder: string): Promise<string[]> {
  const paths: string[] = [];
  for (let index = 0; index < SESSION_DATES.length; index += 1) {
    const path = join(folder, `nightly-${index + 1}.csv`);
    await writeFile(path, nightlyBatch(index));
    paths.push(path);
  }
  return paths;
}

/**
 * The first batch's first session billed again on a new claim in a later batch: PRIOR_BATCH_DUPLICATE
 * only when the first batch's history is there.
 */
export function resentBatch(): string {
  return batch([
    { claim_id: 'CLM-RESENT', member_id: FREQUENT_MEMBER, date_of_service: SESSION_DATES[0]![0]! },
  ]);
}

export interface FindingRow {
  readonly line: number;
  readonly ruleId: string;
  readonly message: string;
}

/** The rows of a findings.csv. */
export function findingRows(findingsCsv: string): FindingRow[] {
  const rows = parse(findingsCsv, { columns: true }) as Record<string, string>[];
  return rows.map((row) => ({ line: Number(row.line), ruleId: row.rule_id!, message: row.message! }));
}

/** The lines a rule flagged. */
export const flaggedBy = (findingsCsv: string, ruleId: string): number[] =>
  findingRows(findingsCsv)
    .filter((row) => row.ruleId === ruleId)
    .map((row) => row.line);
