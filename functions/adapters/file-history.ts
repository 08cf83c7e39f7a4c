/**
 * History of earlier sessions from a local CSV file (`--history prior.csv`), appending to it
 * (`--record`), and writing one whole (`history export --out`).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HistorySource } from '../core/engine/accumulator.js';
import { ScrubError } from '../core/errors.js';
import { inMemoryHistory, parseHistoryCsv } from '../core/history.js';
import {
  historyCellsOf,
  historyHeader,
  historyRowOf,
  historyTextOf,
  readHistoryTable,
} from '../core/history-csv.js';
import {
  distinctRecords,
  parseSessionRecords,
  type SessionRecord,
  type SessionRecordInput,
} from '../core/history-port.js';

/** History files hold member ids: readable by their owner only, whatever the umask. */
const PRIVATE_FILE = 0o600;

/** Sessions of `excludeBatchId` (the batch being checked, recorded by an earlier run) never count twice. */
export async function loadHistoryFile(
  path: string,
  excludeBatchId?: string,
): Promise<{ source: HistorySource; skippedRows: number }> {
  const { text } = historyTextOf(await readFile(path));
  const { sessions, skippedRows } = parseHistoryCsv(text, basename(path));
  const source = { ...inMemoryHistory(sessions, excludeBatchId), ignoredRows: () => skippedRows };
  return { source, skippedRows };
}

async function readIfPresent(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  }
}

/**
 * Appends sessions to a history file, creating it with the full header when it is missing or empty.
 * Rows go under the file's own columns. A record already there is not written again, so recording a
 * batch twice changes nothing: the same batch and line where the file has batch_id and line, else
 * the same row. Rows are UTF-8: a file in another encoding is refused rather than mixed.
 */
export async function appendHistoryFile(
  path: string,
  records: readonly SessionRecordInput[],
): Promise<{ appended: number }> {
  const sessions = distinctRecords(parseSessionRecords(records));
  const { text, encoding } = historyTextOf(await readIfPresent(path));
  if (text.trim() !== '' && encoding !== 'utf-8') {
    throw new ScrubError(
      'BAD_HISTORY',
      `the history file is ${encoding} text and --record appends UTF-8 rows; save it as UTF-8 CSV first`,
    );
  }
  if (text.trim() === '') {
    const lines = [historyHeader(), ...sessions.map((record) => historyRowOf(record))];
    // A file this creates holds member ids: its owner's only (the mode applies only when it is created).
    await appendFile(path, lines.map((line) => `${line}\n`).join(''), { mode: PRIVATE_FILE });
    return { appended: sessions.length };
  }
  const { columns, rows, at } = readHistoryTable(text);
  const named = columns.includes('batch_id') && columns.includes('line');
  // Without batch and line, a record is there when its row is: its cells under the file's columns.
  const rowKey = (cells: readonly string[]): string => cells.map((cell) => cell.trim()).join('\u0000');
  const present = new Set<string>(
    rows.map((row) =>
      named
        ? `${at(row, 'batch_id')}#${at(row, 'line')}`
        : rowKey(columns.map((_, index) => row[index] ?? '')),
    ),
  );
  const keyOf = (record: SessionRecord): string =>
    named ? `${record.batchId}#${record.line}` : rowKey(historyCellsOf(record, columns));
  const fresh = sessions.filter((record) => !present.has(keyOf(record)));
  if (fresh.length === 0) return { appended: 0 };
  // The reader takes the first line's ending for every record: a CRLF file must stay CRLF.
  const eol = text.slice(0, text.indexOf('\n') + 1).endsWith('\r\n') ? '\r\n' : '\n';
  const separator = text.endsWith('\n') ? '' : eol;
  await appendFile(
    path,
    separator + fresh.map((record) => `${historyRowOf(record, columns)}${eol}`).join(''),
  );
  return { appended: fresh.length };
}

/**
 * Writes sessions as a history file with the full header (what `--record` writes and `history import`
 * reads), whole or not at all: into a temporary file beside it, renamed into place when complete.
 */
export async function writeHistoryFile(
  path: string,
  pages: AsyncIterable<readonly SessionRecord[]>,
): Promise<{ written: number }> {
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  const file = await open(temporary, 'wx', PRIVATE_FILE);
  let written = 0;
  try {
    await file.chmod(PRIVATE_FILE);
    await file.writeFile(`${historyHeader()}\n`);
    for await (const page of pages) {
      if (page.length === 0) continue;
      await file.writeFile(page.map((record) => `${historyRowOf(record)}\n`).join(''));
      written += page.length;
    }
    await file.close();
    await rename(temporary, path);
    return { written };
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}
