/**
 * The history store (functions/core/history-port.ts) in memory, for tests and one-off runs. It keys
 * records as the DynamoDB table does (member, then `<date>#<batch>#<line>`), so both pass one contract
 * suite. Nothing expires here: a test's history lives as long as the test.
 */
import {
  distinctRecords,
  type HistoryArchive,
  normalMemberKey,
  parseSessionRecords,
  recordedDayOf,
  type SessionRecord,
  sessionKeyOf,
} from '../core/history-port.js';

export interface MemoryHistoryStore extends HistoryArchive {
  /** Every stored record, by member then session key: what "the same items" means in tests. */
  snapshot(): SessionRecord[];
  /** Members asked for so far (one entry per lookup call), to check what a caller looks up. */
  readonly lookups: readonly (readonly string[])[];
}

export function memoryHistoryStore(): MemoryHistoryStore {
  const members = new Map<string, Map<string, SessionRecord>>();
  const lookups: string[][] = [];
  const sorted = (sessions: Map<string, SessionRecord>): SessionRecord[] =>
    [...sessions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, record]) => record);

  const snapshot = (): SessionRecord[] =>
    [...members.keys()]
      .sort()
      .flatMap((key) => sorted(members.get(key)!))
      .map((record) => ({ ...record }));

  return {
    lookups,
    async lookup(memberKeys, excludeBatchId) {
      const keys = [...new Set(memberKeys.map(normalMemberKey))];
      lookups.push(keys);
      const found = new Map<string, SessionRecord[]>();
      for (const key of keys) {
        const sessions = members.get(key);
        if (sessions === undefined) continue;
        const kept = sorted(sessions).filter((record) => record.batchId !== excludeBatchId);
        // Copies, so a caller that edits its result cannot edit the store.
        if (kept.length > 0)
          found.set(
            key,
            kept.map((record) => ({ ...record })),
          );
      }
      return found;
    },
    async record(records, options) {
      recordedDayOf(options);
      for (const record of distinctRecords(parseSessionRecords(records))) {
        let sessions = members.get(record.memberKey);
        if (sessions === undefined) {
          sessions = new Map();
          members.set(record.memberKey, sessions);
        }
        sessions.set(sessionKeyOf(record), record);
      }
    },
    async *records() {
      yield snapshot();
    },
    snapshot,
  };
}
