/** The DynamoDB history store over the wire, against dynalite on loopback (real SDK calls, no mocks). */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHistoryTableInput,
  dynamoHistoryStore,
  historyTableDefinition,
} from '../../functions/adapters/dynamo-history.js';
import { historyStoreContract, RECORDED_ON, session } from './history/contract.js';

interface Dynalite {
  listen(port: number, host: string, callback: () => void): void;
  address(): AddressInfo;
  close(callback: () => void): void;
}
const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Dynalite;

const NOW = Date.UTC(2026, 11, 1);
let server: Dynalite;
let documents: DynamoDBDocumentClient;
let tables = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${server.address().port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  documents = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  documents?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function freshTable(): Promise<string> {
  tables += 1;
  const tableName = `history-${tables}`;
  await documents.send(new CreateTableCommand(createHistoryTableInput(tableName)));
  return tableName;
}

async function scan(tableName: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documents.send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  const key = (item: Record<string, unknown>) => `${item.memberKey}\u0000${item.sessionKey}`;
  return Items.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

historyStoreContract('dynamodb (dynalite)', async () => {
  const tableName = await freshTable();
  return {
    store: dynamoHistoryStore(documents, { tableName, now: () => NOW, concurrency: 4 }),
    dump: () => scan(tableName),
  };
});

describe('dynamoHistoryStore on dynalite', () => {
  it('stores one item per session under the declared keys, with its expiry', async () => {
    const tableName = await freshTable();
    const store = dynamoHistoryStore(documents, { tableName, now: () => NOW });
    await store.record([session({ dateOfService: '2026-03-01', batchId: 'b1', line: 7 })], RECORDED_ON);
    const [item] = await scan(tableName);
    expect(item).toMatchObject({
      [historyTableDefinition.partitionKey.name]: 'MEM-1',
      [historyTableDefinition.sortKey.name]: '2026-03-01#b1#7',
      // The batch's date (2026-11-28) is later than the date of service: 400 days from it.
      [historyTableDefinition.timeToLiveAttribute]: Date.UTC(2028, 0, 2) / 1000,
    });
  });

  it('writes and reads more than one page and more than one write batch', async () => {
    const tableName = await freshTable();
    const store = dynamoHistoryStore(documents, { tableName, now: () => NOW });
    // Large cells make one member's sessions exceed a 1 MB Query page.
    const big = 'x'.repeat(1900);
    const records = Array.from({ length: 700 }, (_, index) =>
      session({ claimId: big, lineNo: big, providerNpi: big, claimFrequency: big, line: 1000 + index }),
    );
    await store.record(records, RECORDED_ON);
    const found = await store.lookup(['MEM-1'], 'none');
    expect(found.get('MEM-1')).toHaveLength(700);
  });

  it('hands over every kept record, page by page, for an export', async () => {
    const tableName = await freshTable();
    const store = dynamoHistoryStore(documents, { tableName, now: () => NOW });
    const big = 'x'.repeat(1900);
    const records = Array.from({ length: 700 }, (_, index) =>
      session({
        memberKey: `MEM-${index % 7}`,
        claimId: big,
        lineNo: big,
        providerNpi: big,
        line: 3000 + index,
      }),
    );
    await store.record(records, RECORDED_ON);
    const pages: number[] = [];
    const lines = new Set<number>();
    for await (const page of store.records()) {
      pages.push(page.length);
      for (const record of page) lines.add(record.line);
    }
    expect(pages.length).toBeGreaterThan(1); // more than one Scan page of 1 MB
    expect(lines.size).toBe(700);
    const later = dynamoHistoryStore(documents, { tableName, now: () => Date.UTC(2028, 0, 2) });
    let kept = 0;
    for await (const page of later.records()) kept += page.length;
    expect(kept).toBe(0); // expired, though DynamoDB has not deleted them yet
  });

  it('skips items past their expiry that DynamoDB has not deleted yet', async () => {
    const tableName = await freshTable();
    const store = dynamoHistoryStore(documents, { tableName, now: () => NOW });
    await store.record([session({ line: 5 })], RECORDED_ON);
    const later = dynamoHistoryStore(documents, { tableName, now: () => Date.UTC(2028, 0, 2) });
    expect(await later.lookup(['MEM-1'], 'none')).toEqual(new Map());
  });

  it('refuses an item that does not have the fields of a record, without its values', async () => {
    const tableName = await freshTable();
    await documents.send(
      new PutCommand({ TableName: tableName, Item: { memberKey: 'MEM-1', sessionKey: 'x', note: 'SECRET' } }),
    );
    const store = dynamoHistoryStore(documents, { tableName, now: () => NOW });
    const attempt = store.lookup(['MEM-1'], 'none');
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_HISTORY_ITEM' });
    await attempt.catch((error: Error) => expect(error.message).not.toMatch(/SECRET|MEM-1/));
  });
});
