/**
 * What every history store promises (functions/core/history-port.ts), run against each adapter:
 * memory-history.test.ts and the DynamoDB one on dynalite.
 */
import { describe, expect, it } from 'vitest';
import {
  type HistoryStore,
  historySourceOf,
  type SessionRecordInput,
} from '../../../functions/core/history-port.js';
import { epochDay } from '../../support/dates.js';
import { daysOf } from '../../support/history.js';

export interface ContractSubject {
  readonly store: HistoryStore;
  /** Every stored item as the store keeps it, in a stable order: "the same items" is equality here. */
  dump(): Promise<unknown[]>;
}

export const RECORDED_ON = { recordedOn: '2026-11-28' } as const;

let nextLine = 2;
export const session = (overrides: Partial<SessionRecordInput> = {}): SessionRecordInput => ({
  memberKey: 'MEM-1',
  dateOfService: '2026-03-01',
  procedureCode: '62323',
  providerNpi: '1234567893',
  claimId: 'C-1',
  lineNo: '1',
  claimFrequency: '1',
  batchId: '2026-11-28-nightly-0123456789',
  line: nextLine++,
  ...overrides,
});

export function historyStoreContract(name: string, subject: () => Promise<ContractSubject>): void {
  describe(`history store contract: ${name}`, () => {
    it('finds nothing for members it has never seen, and asks nothing for no members', async () => {
      const { store } = await subject();
      expect(await store.lookup(['NOBODY'], 'b')).toEqual(new Map());
      expect(await store.lookup([], 'b')).toEqual(new Map());
    });

    it('returns every field of each record, per member, in date-of-service order', async () => {
      const { store } = await subject();
      const later = session({ dateOfService: '2026-05-01', line: 10 });
      const earlier = session({ dateOfService: '2026-01-15', line: 11, procedureCode: '64483' });
      const other = session({ memberKey: 'MEM-2', claimId: 'C-9, "quoted"', line: 12 });
      await store.record([later, earlier, other], RECORDED_ON);
      const found = await store.lookup(['MEM-1', 'MEM-2', 'MEM-3'], 'another-batch');
      expect([...found.keys()]).toEqual(['MEM-1', 'MEM-2']);
      expect(found.get('MEM-1')).toEqual([earlier, later]);
      expect(found.get('MEM-2')).toEqual([other]);
    });

    it('leaves out the sessions of the batch being checked', async () => {
      const { store } = await subject();
      const own = session({ batchId: 'current', dateOfService: '2026-02-01' });
      const earlier = session({ batchId: 'earlier', dateOfService: '2026-01-01' });
      await store.record([own, earlier], RECORDED_ON);
      expect((await store.lookup(['MEM-1'], 'current')).get('MEM-1')).toEqual([earlier]);
      expect(await store.lookup(['MEM-1'], 'earlier')).toEqual(new Map([['MEM-1', [own]]]));
    });

    it('normalises member keys: trimmed and upper-cased, in records and lookups', async () => {
      const { store } = await subject();
      await store.record([session({ memberKey: '  mem-7 ' })], RECORDED_ON);
      const found = await store.lookup([' Mem-7', 'MEM-7'], 'x');
      expect([...found.keys()]).toEqual(['MEM-7']);
      expect(found.get('MEM-7')![0]!.memberKey).toBe('MEM-7');
    });

    it('records idempotently: the same records again, in part or in whole, leave the same items', async () => {
      const { store, dump } = await subject();
      const records = Array.from({ length: 30 }, (_, index) =>
        session({
          memberKey: `M${index % 4}`,
          dateOfService: `2026-04-${String(1 + (index % 9)).padStart(2, '0')}`,
          line: 100 + index,
        }),
      );
      await store.record(records, RECORDED_ON);
      const once = await dump();
      expect(once).toHaveLength(30);
      // A crash after the first writes, then the retry of the whole batch; then a duplicate event.
      await store.record(records.slice(0, 7), RECORDED_ON);
      await store.record(records, RECORDED_ON);
      await store.record([...records, ...records], RECORDED_ON);
      expect(await dump()).toEqual(once);
    });

    it('keeps a corrected re-upload apart, and its sessions on the same dates add no session dates', async () => {
      const { store } = await subject();
      const first = session({ batchId: 'upload-1', line: 2 });
      const corrected = session({ batchId: 'upload-2', line: 2 });
      await store.record([first, corrected], RECORDED_ON);
      expect((await store.lookup(['MEM-1'], 'upload-3')).get('MEM-1')).toEqual([first, corrected]);
      const dates = daysOf(await historySourceOf(store, 'upload-3').priorSessions(['MEM-1']));
      expect(new Set(dates.get('MEM-1'))).toEqual(new Set([epochDay('2026-03-01')]));
    });

    it('refuses a bad record before writing anything, naming the field but no value', async () => {
      const { store, dump } = await subject();
      const bad = session({ memberKey: 'SECRET-MEMBER', dateOfService: '2026-02-30' });
      const attempt = store.record([session(), bad], RECORDED_ON);
      await expect(attempt).rejects.toMatchObject({ code: 'BAD_HISTORY_RECORD' });
      await expect(attempt).rejects.toThrow(/record 2: dateOfService/);
      await attempt.catch((error: Error) => expect(error.message).not.toContain('SECRET'));
      await expect(store.record([session({ batchId: 'a#b' })], RECORDED_ON)).rejects.toMatchObject({
        code: 'BAD_HISTORY_RECORD',
      });
      await expect(store.record([session()], { recordedOn: 'yesterday' })).rejects.toMatchObject({
        code: 'BAD_HISTORY_RECORD',
      });
      expect(await dump()).toEqual([]);
    });
  });
}
