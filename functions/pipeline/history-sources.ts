/** Where a merge shard finds its members' earlier sessions: the history store, and history CSVs. */
import type { HistorySource } from '../core/engine/accumulator.js';
import type { SessionHistory } from '../core/engine/cross-rules.js';
import { inMemoryHistory, parseHistoryCsv } from '../core/history.js';
import { historyTextOf } from '../core/history-csv.js';
import type { PriorSession } from '../core/rules/history.js';
import { fileNameOf } from './batch-name.js';
import { PipelineError, type PipelineLogger } from './log.js';
import type { ObjectStore } from './ports.js';
import { PREFIX } from './topology.js';

/** Sessions of earlier batches from two sources, member by member. */
export function bothHistories(first: HistorySource, second: HistorySource): HistorySource {
  return {
    async priorSessions(members) {
      const [a, b] = await Promise.all([first.priorSessions(members), second.priorSessions(members)]);
      const merged = new Map(a);
      for (const [member, found] of b) merged.set(member, [...(merged.get(member) ?? []), ...found]);
      return merged;
    },
    ignoredRows: () => (first.ignoredRows?.() ?? 0) + (second.ignoredRows?.() ?? 0),
  };
}

/**
 * Earlier sessions from files: every `history/*.csv` in the work bucket, read only when
 * the shard has 62323 lines to look up.
 */
export function workBucketHistory(
  deps: { readonly store: ObjectStore; readonly logger: PipelineLogger },
  workBucket: string,
  batchId: string,
): HistorySource {
  let ignoredRows = 0;
  return {
    ignoredRows: () => ignoredRows,
    async priorSessions(members): Promise<SessionHistory> {
      if (members.length === 0) return new Map();
      const sessions = new Map<string, PriorSession[]>();
      let skippedRows = 0;
      const files = (await deps.store.list(workBucket, PREFIX.history)).filter((item) =>
        item.key.endsWith('.csv'),
      );
      for (const file of files) {
        const bytes = await deps.store.read(workBucket, file.key);
        if (!bytes) continue; // deleted since the listing
        let parsed: ReturnType<typeof parseHistoryCsv>;
        try {
          parsed = parseHistoryCsv(historyTextOf(bytes).text, fileNameOf(file.key));
        } catch {
          throw new PipelineError(
            'BAD_HISTORY',
            `${file.key} is not a history CSV (member_id, date_of_service, procedure_code)`,
          );
        }
        skippedRows += parsed.skippedRows;
        for (const [member, found] of parsed.sessions) {
          const known = sessions.get(member);
          if (known) known.push(...found);
          else sessions.set(member, [...found]);
        }
      }
      ignoredRows = skippedRows;
      deps.logger.info('history loaded', { files: files.length, members: sessions.size, skippedRows });
      return inMemoryHistory(sessions, batchId).priorSessions(members);
    },
  };
}
