/**
 * The member history of local runs and of `scrub62323 history`: the table the stack deploys
 * (historyTableDefinition) on the embedded DynamoDB emulator (dynalite on 127.0.0.1, its data in the
 * state folder, so a second run remembers the first), on an endpoint you name (moto_server serves
 * DynamoDB beside S3 and SQS), or a deployed table with the standard credential chain.
 *
 * Locally the table has no TTL (dynalite cannot set one): lookups and exports skip expired items,
 * as they do in AWS, where DynamoDB deletes them days late.
 */

import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientSettings } from '../adapters/aws-config.js';
import { awsErrorCode, awsFailureSentence } from '../adapters/aws-failure.js';
import { createHistoryTableInput, dynamoHistoryStore } from '../adapters/dynamo-history.js';
import { isScrubError, ScrubError } from '../core/errors.js';
import { historyTextOf } from '../core/history-csv.js';
import { historyRecordsOf, type ImportedHistory } from '../core/history-import.js';
import { distinctRecords, type HistoryArchive, parseSessionRecords } from '../core/history-port.js';
import { sleep } from '../pipeline/sleep.js';
import { holdStateFolder, type StateFolder } from './state-folder.js';

/** The table's name on the embedded emulator and on an endpoint (the stack names its own). */
export const LOCAL_HISTORY_TABLE = 'scrub62323-history';

export type HistoryTarget =
  /** The embedded emulator: its data in `stateDir`, or in memory for this run only without one. */
  | { readonly kind: 'embedded'; readonly stateDir?: string }
  /** The DynamoDB of an endpoint (moto_server), table scrub62323-history unless named. */
  | {
      readonly kind: 'endpoint';
      readonly endpoint: string;
      readonly tableName?: string;
      readonly region?: string;
    }
  /** A deployed table: AWS credentials from the standard chain, or a profile. */
  | {
      readonly kind: 'table';
      readonly tableName: string;
      readonly region?: string;
      readonly profile?: string;
    };

export interface OpenHistoryOptions {
  /** Start empty: the state folder's data is erased, or the endpoint's table deleted and re-created. */
  readonly fresh?: boolean;
  /** Refuse a state folder that holds no history yet (an export from the wrong folder says so). */
  readonly mustExist?: boolean;
}

export interface OpenHistory {
  /** The DynamoDB endpoint: the embedded emulator's or the one named; none for a deployed table. */
  readonly endpoint?: string;
  readonly tableName: string;
  /** Where the history is, in words for messages. */
  readonly where: string;
  readonly documents: DynamoDBDocumentClient;
  readonly store: HistoryArchive;
  close(): Promise<void>;
}

/** The history cannot be opened or used: one sentence, never a value of the table. */
export class LocalHistoryError extends ScrubError {
  constructor(message: string, options?: ErrorOptions) {
    super('HISTORY_UNAVAILABLE', message, options);
    this.name = 'LocalHistoryError';
  }
}

const TABLE_WAIT_MS = 30_000;

interface Embedded {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function startDynalite(path: string | undefined): Promise<Embedded> {
  let dynalite: typeof import('dynalite').default;
  try {
    dynalite = (await import('dynalite')).default;
  } catch (error) {
    throw new LocalHistoryError(
      `the embedded history store could not be loaded (${awsErrorCode(error) ?? 'dynalite or its LevelDB module is missing'}); run npm ci, or use --endpoint`,
      { cause: error },
    );
  }
  const server = dynalite({
    ...(path ? { path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The embedded emulator on a state folder (held for the run) or in memory. */
async function openEmbedded(
  stateDir: string | undefined,
  options: OpenHistoryOptions,
): Promise<{ embedded: Embedded; folder?: StateFolder }> {
  if (stateDir === undefined) return { embedded: await startDynalite(undefined) };
  if (options.mustExist && !(await stat(stateDir).catch(() => undefined))) {
    throw new LocalHistoryError(
      `there is no saved history in ${stateDir} (scrub62323 pipeline and history import keep it there)`,
    );
  }
  const folder = await holdStateFolder(stateDir);
  try {
    if (options.fresh) await folder.eraseHistory();
    return { embedded: await startDynalite(folder.historyData), folder };
  } catch (error) {
    await folder.release();
    throw error;
  }
}

/** Opens the history where `target` says, with its table ready (created where missing, but never in AWS). */
export async function openHistory(
  target: HistoryTarget,
  options: OpenHistoryOptions = {},
): Promise<OpenHistory> {
  let local: { embedded?: Embedded; folder?: StateFolder } = {};
  try {
    if (target.kind === 'embedded') local = await openEmbedded(target.stateDir, options);
    const endpoint = target.kind === 'endpoint' ? target.endpoint : local.embedded?.endpoint;
    const tableName =
      target.kind === 'embedded' ? LOCAL_HISTORY_TABLE : (target.tableName ?? LOCAL_HISTORY_TABLE);
    // A deployed table's region may come from the environment or the profile: the SDK finds it.
    const client = new DynamoDBClient(
      awsClientSettings({
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(target.kind !== 'embedded' && target.region !== undefined ? { region: target.region } : {}),
        ...(target.kind === 'table' && target.profile !== undefined ? { profile: target.profile } : {}),
      }),
    );
    const where = whereOf(target, tableName, local.folder);
    const opened = { ...(endpoint !== undefined ? { endpoint } : {}), tableName, where };
    // A deployed table is the stack's: nothing here creates or deletes it.
    if (target.kind !== 'table') {
      await prepareTable(client, tableName, options.fresh === true && target.kind === 'endpoint').catch(
        (error: unknown) => {
          client.destroy();
          throw historyFailure(error, opened, 'cannot set up');
        },
      );
    }
    const documents = DynamoDBDocumentClient.from(client);
    const { embedded, folder } = local;
    return {
      ...opened,
      documents,
      store: dynamoHistoryStore(documents, { tableName }),
      async close() {
        client.destroy();
        await embedded?.stop();
        await folder?.release();
      },
    };
  } catch (error) {
    await local.embedded?.stop();
    await local.folder?.release();
    throw error;
  }
}

function whereOf(target: HistoryTarget, tableName: string, folder: StateFolder | undefined): string {
  if (target.kind === 'embedded') return folder ? `the history in ${folder.path}` : 'the in-memory history';
  if (target.kind === 'endpoint') return `the history table ${tableName} at ${target.endpoint}`;
  const about = [target.region, target.profile && `profile ${target.profile}`].filter(Boolean).join(', ');
  return `the history table ${tableName}${about ? ` (${about})` : ''}`;
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus ?? 'ACTIVE';
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function waitForTable(
  client: DynamoDBClient,
  tableName: string,
  done: (status: string | undefined) => boolean,
): Promise<void> {
  for (const until = Date.now() + TABLE_WAIT_MS; !done(await tableStatus(client, tableName)); ) {
    if (Date.now() > until)
      throw new LocalHistoryError(`the history table ${tableName} did not become ready`);
    await sleep(100);
  }
}

/** Creates the table when missing (another run may create it at the same moment) and waits until it is active. */
async function prepareTable(client: DynamoDBClient, tableName: string, fresh: boolean): Promise<void> {
  if (fresh && (await tableStatus(client, tableName)) !== undefined) {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitForTable(client, tableName, (status) => status === undefined);
  }
  if ((await tableStatus(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(createHistoryTableInput(tableName)));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
  }
  await waitForTable(client, tableName, (status) => status === 'ACTIVE');
}

/** What went wrong with the history, as one sentence that names where it is and no value in it. */
export function historyFailure(
  error: unknown,
  history: Pick<OpenHistory, 'where' | 'tableName'>,
  doing = 'cannot use',
): ScrubError {
  if (isScrubError(error)) return error;
  const say = (message: string) => new LocalHistoryError(message, { cause: error });
  if (awsErrorCode(error) === 'ResourceNotFoundException') return say(`${history.where} does not exist`);
  return say(awsFailureSentence(error, history.where, doing));
}

export interface ImportResult {
  /** Distinct records written (writing the same records again changes nothing). */
  readonly written: number;
  readonly skippedRows: number;
  readonly otherCodes: number;
}

/** Reads a history CSV; one without the required columns is refused (BAD_HISTORY), an unreadable one as fs says. */
export async function readHistoryImport(path: string): Promise<ImportedHistory> {
  return historyRecordsOf(historyTextOf(await readFile(path)).text, path);
}

/** Records the sessions of a history file read by readHistoryImport, dated `recordedOn` for their expiry. */
export async function recordImport(
  history: Pick<OpenHistory, 'store' | 'where' | 'tableName'>,
  imported: ImportedHistory,
  recordedOn: string,
): Promise<ImportResult> {
  const distinct = distinctRecords(parseSessionRecords(imported.records));
  try {
    await history.store.record(distinct, { recordedOn });
  } catch (error) {
    throw historyFailure(error, history, 'cannot write to');
  }
  return { written: distinct.length, skippedRows: imported.skippedRows, otherCodes: imported.otherCodes };
}
