/** The DynamoDB history store's requests, retries and batching, against a mocked document client. */
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHistoryTableInput,
  type DynamoHistoryOptions,
  dynamoHistoryStore,
  historyTableDefinition,
  isRetryable,
  WRITE_BATCH,
} from '../../functions/adapters/dynamo-history.js';
import { SessionRecordSchema, sessionKeyOf } from '../../functions/core/history-port.js';
import { RECORDED_ON, session } from './history/contract.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const TABLE = 'history';
const NOW = Date.UTC(2026, 11, 1);
const delays: number[] = [];

const storeWith = (options: Partial<DynamoHistoryOptions> = {}) =>
  dynamoHistoryStore(documents, {
    tableName: TABLE,
    now: () => NOW,
    random: () => 1,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });

/** What the table holds for a record (its key attributes, expiry and fields). */
const itemOf = (input: ReturnType<typeof session>) => {
  const record = SessionRecordSchema.parse(input);
  return { ...record, sessionKey: sessionKeyOf(record), expiresAt: Date.UTC(2028, 0, 2) / 1000 };
};

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });

afterEach(() => {
  dynamo.reset();
  delays.length = 0;
});

const writes = () =>
  dynamo.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems![TABLE]!);

describe('dynamoHistoryStore: record', () => {
  it('writes in batches of 25 puts, each record once, with a deterministic expiry', async () => {
    dynamo.on(BatchWriteCommand).resolves({});
    const records = Array.from({ length: 60 }, (_, index) => session({ line: 200 + index }));
    await storeWith().record([...records, records[0]!], RECORDED_ON);
    expect(writes().map((batch) => batch.length)).toEqual([WRITE_BATCH, WRITE_BATCH, 10]);
    expect(writes()[0]![0]).toEqual({ PutRequest: { Item: itemOf(records[0]!) } });
  });

  it('sends exactly the same items when the same records are written again', async () => {
    dynamo.on(BatchWriteCommand).resolves({});
    const records = Array.from({ length: 30 }, (_, index) => session({ line: 300 + index }));
    await storeWith().record(records, RECORDED_ON);
    const first = writes();
    dynamo.resetHistory();
    await storeWith({ now: () => NOW + 86_400_000 * 90 }).record(records, RECORDED_ON);
    expect(writes()).toEqual(first);
  });

  it('retries only the UnprocessedItems, with growing backoff', async () => {
    const records = Array.from({ length: 3 }, (_, index) => session({ line: 400 + index }));
    const left = [{ PutRequest: { Item: itemOf(records[1]!) } }];
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: left } })
      .resolvesOnce({ UnprocessedItems: { [TABLE]: left } })
      .resolvesOnce({ UnprocessedItems: {} });
    await storeWith().record(records, RECORDED_ON);
    expect(writes().map((batch) => batch.length)).toEqual([3, 1, 1]);
    expect(writes()[1]).toEqual(left);
    expect(delays).toEqual([100, 200]);
  });

  it('gives up on items left unprocessed after maxAttempts, saying how many and no values', async () => {
    const record = session({ memberKey: 'SECRET-1', line: 500 });
    dynamo
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: itemOf(record) } }] } });
    const attempt = storeWith({ maxAttempts: 4 }).record([record], RECORDED_ON);
    await expect(attempt).rejects.toMatchObject({ code: 'HISTORY_UNAVAILABLE', name: 'HistoryStoreError' });
    await attempt.catch((error: Error) => expect(error.message).not.toContain('SECRET'));
    expect(writes()).toHaveLength(4);
  });

  it('survives throttling: the write is sent again after a backoff', async () => {
    dynamo.on(BatchWriteCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    await storeWith().record([session({ line: 600 })], RECORDED_ON);
    expect(writes()).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('keeps backoff within the cap, jittered below it', async () => {
    dynamo.on(BatchWriteCommand).rejects(throttled());
    const store = storeWith({ maxAttempts: 10, random: () => 0.5, maxDelayMs: 1000 });
    await expect(store.record([session({ line: 700 })], RECORDED_ON)).rejects.toMatchObject({
      code: 'HISTORY_UNAVAILABLE',
    });
    expect(delays).toHaveLength(9);
    expect(Math.max(...delays)).toBe(500);
    expect(delays[0]).toBe(50);
  });

  it('does not retry what DynamoDB refuses for good (a missing table)', async () => {
    const missing = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      $fault: 'client',
    });
    dynamo.on(BatchWriteCommand).rejects(missing);
    await expect(storeWith().record([session({ line: 800 })], RECORDED_ON)).rejects.toThrow(/not found/);
    expect(writes()).toHaveLength(1);
  });

  it('writes nothing for no records', async () => {
    await storeWith().record([], RECORDED_ON);
    expect(writes()).toHaveLength(0);
  });
});

describe('dynamoHistoryStore: lookup', () => {
  const queried = () =>
    dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input.ExpressionAttributeValues![':member']);

  it('asks once per member, never once per line, by partition key', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    // 300 lines of three members, as a chunk hands them over.
    const members = Array.from({ length: 300 }, (_, index) => ['m-1', 'M-2', ' M-3'][index % 3]!);
    await storeWith().lookup(members, 'current');
    expect(queried().sort()).toEqual(['M-1', 'M-2', 'M-3']);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: '#member = :member',
      ExpressionAttributeNames: { '#member': historyTableDefinition.partitionKey.name },
      ConsistentRead: false,
    });
  });

  it('keeps at most `concurrency` queries in flight', async () => {
    let inFlight = 0;
    let most = 0;
    dynamo.on(QueryCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return { Items: [] };
    });
    await storeWith({ concurrency: 3 }).lookup(
      Array.from({ length: 20 }, (_, index) => `M${index}`),
      'current',
    );
    expect(queried()).toHaveLength(20);
    expect(most).toBe(3);
  });

  it('leaves out the current batch and expired items, and follows LastEvaluatedKey', async () => {
    const own = itemOf(session({ batchId: 'current', line: 900 }));
    const earlier = itemOf(session({ batchId: 'earlier', line: 901, dateOfService: '2026-01-01' }));
    const expired = { ...itemOf(session({ batchId: 'old', line: 902 })), expiresAt: NOW / 1000 - 1 };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [earlier, own],
        LastEvaluatedKey: { memberKey: 'MEM-1', sessionKey: own.sessionKey },
      })
      .resolvesOnce({ Items: [expired] });
    const found = await storeWith().lookup(['MEM-1'], 'current');
    const { sessionKey: _key, expiresAt: _expiry, ...record } = earlier;
    expect(found).toEqual(new Map([['MEM-1', [record]]]));
    const pages = dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input.ExclusiveStartKey);
    expect(pages).toEqual([undefined, { memberKey: 'MEM-1', sessionKey: own.sessionKey }]);
  });

  it('survives throttling of a query, and gives up after maxAttempts', async () => {
    dynamo
      .on(QueryCommand)
      .rejectsOnce(throttled())
      .resolves({ Items: [itemOf(session({ line: 950 }))] });
    expect((await storeWith().lookup(['MEM-1'], 'x')).get('MEM-1')).toHaveLength(1);
    expect(delays).toEqual([100]);
    dynamo.reset();
    const throttling = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    dynamo.on(QueryCommand).rejects(throttling);
    await expect(storeWith({ maxAttempts: 3 }).lookup(['MEM-1'], 'x')).rejects.toMatchObject({
      code: 'HISTORY_UNAVAILABLE',
    });
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(3);
  });

  it('makes no request for no members', async () => {
    expect(await storeWith().lookup([], 'x')).toEqual(new Map());
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });
});

describe('history table definition', () => {
  it('is on demand, keyed by member then session key', () => {
    expect(createHistoryTableInput('t')).toMatchObject({
      TableName: 't',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'memberKey', KeyType: 'HASH' },
        { AttributeName: 'sessionKey', KeyType: 'RANGE' },
      ],
    });
    expect(historyTableDefinition.timeToLiveAttribute).toBe('expiresAt');
  });

  it('retries throttling and server faults, not client errors', () => {
    for (const name of [
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
    ]) {
      expect(isRetryable({ name })).toBe(true);
    }
    expect(isRetryable({ name: 'InternalServerError', $fault: 'server' })).toBe(true);
    expect(isRetryable({ name: 'ValidationException', $fault: 'client' })).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});
