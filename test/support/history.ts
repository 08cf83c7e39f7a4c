/** History for tests: sessions of earlier batches from bare day numbers. */
import type { PriorSession } from '../../functions/core/rules/history.js';

/** Member → 62323 sessions of an earlier batch on these days (no provider or claim). */
export const sessionsOnDays = (
  byMember: ReadonlyMap<string, readonly number[]>,
): Map<string, PriorSession[]> =>
  new Map(
    [...byMember].map(([member, days]) => [
      member,
      days.map((day) => ({ day, code: '62323', npi: '', claimId: '', batchId: 'earlier' })),
    ]),
  );

/** The days of sessions, per member (what a test of dates compares). */
export const daysOf = (sessions: ReadonlyMap<string, readonly PriorSession[]>): Map<string, number[]> =>
  new Map([...sessions].map(([member, found]) => [member, found.map((session) => session.day)]));
