/**
 * The history store (functions/core/history-port.ts) on a DynamoDB table.
 *
 * One item per session. Partition key `memberKey`, sort key `sessionKey` = `<date>#<batchId>#<line>`:
 * one Query per member returns all of that member's sessions in date order, and the batch id and line
 * in the key make every write idempotent (a duplicate event, a redelivered chunk, a redrive or a retry
 * after a crash puts the same items again). Lookups are a Query per member partition with bounded
 * concurrency, never a request per line. BatchGetItem is no fit: it needs whole keys, and a member's
 * session dates are what we are looking for; one item per member would lose per-session expiry,
 * grow toward the 400 KB item limit and need an UpdateItem per line, which cannot be batched.
 *
 * Cost per 1,000,000 recorded lines, on-demand list prices (us-east-1: $0.625 per million write
 * request units, $0.125 per million read request units, $0.25 per GB-month): items are under 1 KB, so
 * one WRU each, about $0.63 (a redelivery writes again and pays again); lookups, at worst one member per
 * line, one eventually consistent Query of under 4 KB = 0.5 RRU each, about $0.06; storage ~0.3 GB,
 * about $0.08 a month (plus point-in-time recovery at $0.20 per GB-month). TTL deletes are free.
 *
 * Expiry (`expiresAt`, epoch seconds) is the later of the date of service and the batch's own date,
 * plus 400 days: kept at least 400 days from either, and the same on every retry (a "now"-based expiry
 * would make a retried write change the item). DynamoDB deletes expired items up to days late, so
 * lookups skip them too.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ScrubError } from '../core/errors.js';
import {
  distinctRecords,
  expiryOf,
  type HistoryArchive,
  normalMemberKey,
  parseSessionRecords,
  recordedDayOf,
  type SessionRecord,
  SessionRecordSchema,
  sessionKeyOf,
} from '../core/history-port.js';
import { sleep as wait } from '../pipeline/sleep.js';

/** The table's keys and TTL attribute: the one statement of them for the adapter, CDK and local runs. */
export const historyTableDefinition = {
  partitionKey: { name: 'memberKey', type: 'S' },
  sortKey: { name: 'sessionKey', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
} as const;

/** CreateTable input for an on-demand table with these keys (local runs and tests). */
export function createHistoryTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = historyTableDefinition;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      { AttributeName: sortKey.name, AttributeType: sortKey.type },
    ],
  };
}

/** BatchWriteItem takes at most 25 requests per call. */
export const WRITE_BATCH = 25;

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

interface ServiceError {
  readonly name?: string;
  readonly $fault?: string;
  readonly $retryable?: unknown;
}

/** Throttling and service-side faults pass; a request DynamoDB refuses (validation, no table) will not. */
export function isRetryable(error: unknown): boolean {
  const e = error as ServiceError | null;
  return THROTTLING.has(e?.name ?? '') || e?.$fault === 'server' || e?.$retryable !== undefined;
}

/** Item as stored: a record plus its keys and expiry. Everything read back is checked against it. */
const StoredItemSchema = SessionRecordSchema.extend({
  sessionKey: z.string().min(1),
  expiresAt: z.int(),
});

export class HistoryStoreError extends ScrubError {
  constructor(code: 'HISTORY_UNAVAILABLE' | 'BAD_HISTORY_ITEM', message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'HistoryStoreError';
  }
}

/** Items read back as records, every one checked; expired ones (DynamoDB deletes them days late) left out. */
function liveRecords(
  items: readonly Record<string, unknown>[] | undefined,
  nowSeconds: number,
): SessionRecord[] {
  const kept: SessionRecord[] = [];
  for (const item of items ?? []) {
    const parsed = StoredItemSchema.safeParse(item);
    if (!parsed.success) {
      throw new HistoryStoreError('BAD_HISTORY_ITEM', 'a history item does not have the expected fields');
    }
    const { sessionKey: _key, expiresAt, ...record } = parsed.data;
    if (expiresAt > nowSeconds) kept.push(record);
  }
  return kept;
}

export interface DynamoHistoryOptions {
  readonly tableName: string;
  /** Requests in flight at once, lookups and writes alike (default 16). */
  readonly concurrency?: number;
  /**
   * Attempts per request, the first included, for throttling and for unprocessed items (default 8).
   * The SDK client retries throttling on its own first (3 attempts by default): these come on top.
   */
  readonly maxAttempts?: number;
  /** Backoff: full jitter over base × 2^attempt, capped (defaults 50 ms and 5 s). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Strongly consistent lookups cost twice as much; a batch recorded seconds ago is rarely looked up. */
  readonly consistentRead?: boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Epoch milliseconds, for skipping expired items. */
  readonly now?: () => number;
}

/** Runs `task` over `items` with at most `limit` in flight; after a failure no new task starts. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        await task(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function dynamoHistoryStore(
  client: DynamoDBDocumentClient,
  options: DynamoHistoryOptions,
): HistoryArchive {
  const { tableName } = options;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const sleep = options.sleep ?? wait;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  // Full jitter: callers that were throttled together do not come back together.
  const backoff = (attempt: number) => sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));

  async function send<T>(request: () => Promise<T>, what: string): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await request();
      } catch (error) {
        if (!isRetryable(error)) throw error;
        if (attempt >= maxAttempts) {
          throw new HistoryStoreError(
            'HISTORY_UNAVAILABLE',
            `the history table ${what} was still throttled or failing after ${attempt} attempts`,
            { cause: error },
          );
        }
        await backoff(attempt);
      }
    }
  }

  async function sessionsOf(memberKey: string, excludeBatchId: string, nowSeconds: number) {
    const kept: SessionRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: QueryCommandOutput = await send(
        () =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: '#member = :member',
              ExpressionAttributeNames: { '#member': historyTableDefinition.partitionKey.name },
              ExpressionAttributeValues: { ':member': memberKey },
              ConsistentRead: options.consistentRead ?? false,
              ExclusiveStartKey: start,
            }),
          ),
        'lookup',
      );
      // The current batch's own lines count from the batch.
      for (const record of liveRecords(page.Items, nowSeconds)) {
        if (record.batchId !== excludeBatchId) kept.push(record);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return kept;
  }

  async function* scanAll(): AsyncGenerator<readonly SessionRecord[]> {
    const nowSeconds = Math.floor(now() / 1000);
    let start: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await send(
        () => client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start })),
        'scan',
      );
      yield liveRecords(page.Items, nowSeconds);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  async function writeBatch(items: Record<string, unknown>[]) {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; ; attempt += 1) {
      const output: BatchWriteCommandOutput = await send(
        () => client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })),
        'write',
      );
      const unprocessed = output.UnprocessedItems?.[tableName] ?? [];
      if (unprocessed.length === 0) return;
      if (attempt >= maxAttempts) {
        throw new HistoryStoreError(
          'HISTORY_UNAVAILABLE',
          `the history table left ${unprocessed.length} item(s) unwritten after ${attempt} attempts`,
        );
      }
      pending = unprocessed as typeof pending;
      await backoff(attempt);
    }
  }

  return {
    async lookup(memberKeys, excludeBatchId) {
      const keys = [...new Set(memberKeys.map(normalMemberKey))].filter((key) => key !== '');
      const nowSeconds = Math.floor(now() / 1000);
      const sessions: SessionRecord[][] = [];
      await eachLimited(keys, concurrency, async (key, index) => {
        sessions[index] = await sessionsOf(key, excludeBatchId, nowSeconds);
      });
      // Built in the order asked, whatever order the queries finished in.
      const found = new Map<string, SessionRecord[]>();
      keys.forEach((key, index) => {
        if (sessions[index]!.length > 0) found.set(key, sessions[index]!);
      });
      return found;
    },

    records: scanAll,

    async record(records, recordOptions) {
      const recordedDay = recordedDayOf(recordOptions);
      const items = distinctRecords(parseSessionRecords(records)).map((record) => ({
        ...record,
        sessionKey: sessionKeyOf(record),
        expiresAt: expiryOf(record, recordedDay),
      }));
      const batches: Record<string, unknown>[][] = [];
      for (let start = 0; start < items.length; start += WRITE_BATCH) {
        batches.push(items.slice(start, start + WRITE_BATCH));
      }
      await eachLimited(batches, concurrency, (batch) => writeBatch(batch));
    },
  };
}
