/**
 * History figures for `npm run bench`: what the merge's history calls cost for a batch, against a
 * history of prior sessions on a DynamoDB emulator (dynalite on loopback, real SDK calls). It makes
 * exactly the calls the pipeline's merge makes, through the same adapter: one lookup of the members
 * with 62323 lines (a Query per member, 16 in flight), then the batch's sessions written (BatchWrite
 * of 25). Requests are counted per HTTP attempt; cost is priced per request unit, as on demand bills.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHistoryTableInput, dynamoHistoryStore } from '../functions/adapters/dynamo-history.js';
import type { SessionRecordInput } from '../functions/core/history-port.js';
import { Random } from '../test/support/random.js';

interface Dynalite {
  listen(port: number, host: string, callback: () => void): void;
  address(): AddressInfo;
  close(callback: () => void): void;
}

/**
 * DynamoDB on-demand list prices (us-east-1, since 2024-11-01): $0.625 per million write request
 * units, $0.125 per million read request units. A Query reads 0.5 RRU per 4 KB page (eventually
 * consistent); a put of an item under 1 KB is 1 WRU.
 */
export const DYNAMODB_PRICES = { asOf: '2024-11-01', perMillionWru: 0.625, perMillionRru: 0.125 } as const;

export interface HistoryBenchFigures {
  readonly priorSessions: number;
  /** Members of the batch with 62323 lines: those the merge looks up. */
  readonly membersLookedUp: number;
  readonly sessionsRecorded: number;
  readonly lookup: { readonly ms: number; readonly queries: number };
  readonly record: { readonly ms: number; readonly batchWrites: number };
  /** Time to load the prior sessions (not part of a batch's cost). */
  readonly loadMs: number;
  readonly costPerBatch: number;
}

/** The members, sessions and claims of a bench batch file (its 62323/64483/64484 lines). */
async function sessionsOf(
  file: string,
  batchId: string,
): Promise<{ index: Set<string>; sessions: SessionRecordInput[] }> {
  const index = new Set<string>();
  const sessions: SessionRecordInput[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (line === 1) continue;
    // The bench batch quotes only payers, the last cells: the first cells split on commas.
    const cells = text.split(',');
    const [claimId, lineNo, member, , dos, , code] = cells;
    if (code !== '62323' && code !== '64483' && code !== '64484') continue;
    if (code === '62323') index.add(member!);
    sessions.push({
      memberKey: member!,
      dateOfService: dos!,
      procedureCode: code,
      providerNpi: cells[17] ?? '',
      claimId: claimId!,
      lineNo: lineNo!,
      claimFrequency: '1',
      batchId,
      line,
    });
  }
  return { index, sessions };
}

/** `count` prior sessions, most of them for the batch's members, dated in the year before `asOf`. */
function priorSessions(members: readonly string[], count: number, asOfDay: number): SessionRecordInput[] {
  const random = new Random(62_323);
  const prior: SessionRecordInput[] = [];
  for (let at = 0; at < count; at += 1) {
    // Three in four prior sessions belong to members of tonight's batch, the rest to others.
    const member =
      random.next() < 0.75
        ? members[random.int(members.length)]!
        : `P${String(random.int(2_000_000)).padStart(8, '0')}`;
    const day = asOfDay - 1 - random.int(400);
    prior.push({
      memberKey: member,
      dateOfService: new Date(day * 86_400_000).toISOString().slice(0, 10),
      procedureCode: '62323',
      providerNpi: '1234567893',
      claimId: `PRIOR${at}`,
      lineNo: '1',
      claimFrequency: '1',
      batchId: `prior-${at % 300}`,
      line: 2 + at,
    });
  }
  return prior;
}

/** Counts the HTTP attempts of each DynamoDB operation the client sends. */
function countRequests(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchRequestCounter' },
  );
  return counts;
}

export async function benchHistory(
  file: string,
  options: { asOf: string; priorSessions: number },
): Promise<HistoryBenchFigures> {
  const dynalite = createRequire(import.meta.url)('dynalite') as (settings: object) => Dynalite;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${server.address().port}`,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  try {
    await documents.send(new CreateTableCommand(createHistoryTableInput('bench-history')));
    const store = dynamoHistoryStore(documents, { tableName: 'bench-history' });
    const { index, sessions } = await sessionsOf(file, 'bench-batch');
    const asOfDay = Date.parse(`${options.asOf}T00:00:00Z`) / 86_400_000;
    const recordedOn = { recordedOn: options.asOf };

    let started = performance.now();
    const prior = priorSessions([...index], options.priorSessions, asOfDay);
    for (let at = 0; at < prior.length; at += 50_000)
      await store.record(prior.slice(at, at + 50_000), recordedOn);
    const loadMs = performance.now() - started;

    const counts = countRequests(client);
    started = performance.now();
    await store.lookup([...index], 'bench-batch');
    const lookupMs = performance.now() - started;
    const queries = counts.get('QueryCommand') ?? 0;
    started = performance.now();
    await store.record(sessions, recordedOn);
    const recordMs = performance.now() - started;
    const batchWrites = counts.get('BatchWriteItemCommand') ?? 0;

    // A member's sessions fit one 4 KB page: half a read unit per query; a session item is one write unit.
    const cost =
      ((queries * 0.5) / 1e6) * DYNAMODB_PRICES.perMillionRru +
      (sessions.length / 1e6) * DYNAMODB_PRICES.perMillionWru;
    return {
      priorSessions: prior.length,
      membersLookedUp: index.size,
      sessionsRecorded: sessions.length,
      lookup: { ms: lookupMs, queries },
      record: { ms: recordMs, batchWrites },
      loadMs,
      costPerBatch: cost,
    };
  } finally {
    documents.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
