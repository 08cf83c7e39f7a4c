import { describe, expect, it } from 'vitest';
import { memoryHistoryStore } from '../../functions/adapters/memory-history.js';
import { historyStoreContract, RECORDED_ON, session } from './history/contract.js';

historyStoreContract('memory', async () => {
  const store = memoryHistoryStore();
  return { store, dump: async () => store.snapshot() };
});

describe('memoryHistoryStore', () => {
  it('notes the members each lookup asked for, once each', async () => {
    const store = memoryHistoryStore();
    await store.lookup(['A', 'a ', 'B'], 'x');
    expect(store.lookups).toEqual([['A', 'B']]);
  });

  it('hands out copies: editing a result leaves the store as it was', async () => {
    const store = memoryHistoryStore();
    await store.record([session({ claimId: 'C-1' })], RECORDED_ON);
    const found = await store.lookup(['MEM-1'], 'x');
    (found.get('MEM-1')![0] as { claimId: string }).claimId = 'changed';
    expect(store.snapshot()[0]!.claimId).toBe('C-1');
  });

  it('hands over every record for an export, as one page', async () => {
    const store = memoryHistoryStore();
    await store.record([session({ memberKey: 'MEM-2' }), session({ memberKey: 'MEM-1' })], RECORDED_ON);
    const pages = [];
    for await (const page of store.records()) pages.push(page);
    expect(pages).toEqual([store.snapshot()]);
  });
});
