import { describe, expect, it } from 'vitest';
import { failedIds } from '../../../functions/local/event-source.js';
import { sqsRecord } from '../../support/events.js';

const records = ['a', 'b', 'c'].map((messageId) => sqsRecord('{}', { messageId }));

describe('failedIds (what Lambda leaves on the queue)', () => {
  it('is nothing for an empty or absent response', () => {
    expect([...failedIds(records, { batchItemFailures: [] })]).toEqual([]);
    expect([...failedIds(records, undefined)]).toEqual([]);
  });

  it('is the reported items', () => {
    expect([...failedIds(records, { batchItemFailures: [{ itemIdentifier: 'b' }] })]).toEqual(['b']);
  });

  it('is the whole batch when the handler throws or reports an unknown or empty id', () => {
    expect(failedIds(records, new Error('boom')).size).toBe(3);
    expect(failedIds(records, { batchItemFailures: [{ itemIdentifier: 'zzz' }] }).size).toBe(3);
    expect(failedIds(records, { batchItemFailures: [{ itemIdentifier: '' }] }).size).toBe(3);
  });
});
