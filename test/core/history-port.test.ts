/** The history port's pure parts: record checks, expiry and the engine's view of a store. */
import { describe, expect, it } from 'vitest';
import { memoryHistoryStore } from '../../functions/adapters/memory-history.js';
import {
  expiryOf,
  HISTORY_RETENTION_DAYS,
  historySourceOf,
  parseSessionRecords,
  recordedDayOf,
} from '../../functions/core/history-port.js';
import { session } from '../adapters/history/contract.js';
import { epochDay } from '../support/dates.js';
import { daysOf } from '../support/history.js';

describe('expiryOf', () => {
  it('counts 400 days from the later of the date of service and the batch date', () => {
    const [record] = parseSessionRecords([session({ dateOfService: '2026-03-01' })]);
    expect(HISTORY_RETENTION_DAYS).toBeGreaterThanOrEqual(400);
    expect(expiryOf(record!, epochDay('2026-11-28'))).toBe((epochDay('2026-11-28') + 400) * 86_400);
    // A date of service after the batch date (a typo, or a pre-dated claim) still keeps 400 days.
    expect(expiryOf(record!, epochDay('2026-01-01'))).toBe((epochDay('2026-03-01') + 400) * 86_400);
  });

  it('wants the batch date as YYYY-MM-DD', () => {
    expect(recordedDayOf({ recordedOn: '2026-11-28' })).toBe(epochDay('2026-11-28'));
    expect(() => recordedDayOf({ recordedOn: '11/28/2026' })).toThrow(
      expect.objectContaining({ code: 'BAD_HISTORY_RECORD' }),
    );
  });
});

describe('historySourceOf', () => {
  it('gives the engine the session dates of counted codes, leaving out the current batch', async () => {
    const store = memoryHistoryStore();
    await store.record(
      [
        session({ memberKey: 'A', dateOfService: '2026-01-01', batchId: 'old' }),
        session({ memberKey: 'A', dateOfService: '2026-02-01', procedureCode: '99213', batchId: 'old' }),
        session({ memberKey: 'A', dateOfService: '2026-03-01', batchId: 'now' }),
        session({ memberKey: 'B', dateOfService: '2026-01-01', procedureCode: '99213', batchId: 'old' }),
      ],
      { recordedOn: '2026-11-28' },
    );
    const dates = daysOf(await historySourceOf(store, 'now').priorSessions(['A', 'B']));
    expect(dates).toEqual(new Map([['A', [epochDay('2026-01-01')]]]));
  });
});
