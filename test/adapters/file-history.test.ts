/**
 * `--record`: appending a batch's sessions to a history file, which the history reader reads back;
 * `history export --out`: writing one whole.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendHistoryFile,
  loadHistoryFile,
  writeHistoryFile,
} from '../../functions/adapters/file-history.js';
import { parseHistoryCsv } from '../../functions/core/history.js';
import { historyColumnsOf, historyHeader } from '../../functions/core/history-csv.js';
import { parseSessionRecords, type SessionRecord } from '../../functions/core/history-port.js';
import { epochDay } from '../support/dates.js';
import { session } from './history/contract.js';

let folder: string;
let files = 0;
const fresh = () => join(folder, `history-${++files}.csv`);

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'history-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('appendHistoryFile', () => {
  it('creates the file with every history column, quoted as RFC 4180 wants', async () => {
    const path = fresh();
    const result = await appendHistoryFile(path, [
      session({ memberKey: 'mem-1', claimId: 'C,1 "a"', batchId: 'b1', line: 2 }),
    ]);
    expect(result).toEqual({ appended: 1 });
    expect(await readFile(path, 'utf8')).toBe(
      'member_id,date_of_service,procedure_code,provider_npi,claim_id,line_no,claim_frequency,batch_id,line\n' +
        'MEM-1,2026-03-01,62323,1234567893,"C,1 ""a""",1,1,b1,2\n',
    );
  });

  it('appends nothing for a batch already recorded (same batch and line)', async () => {
    const path = fresh();
    const records = [session({ batchId: 'b1', line: 2 }), session({ batchId: 'b1', line: 3 })];
    await appendHistoryFile(path, records.slice(0, 1));
    expect(await appendHistoryFile(path, records)).toEqual({ appended: 1 });
    const once = await readFile(path, 'utf8');
    expect(await appendHistoryFile(path, records)).toEqual({ appended: 0 });
    expect(await readFile(path, 'utf8')).toBe(once);
    expect(once.trim().split('\n')).toHaveLength(3);
  });

  it('appends nothing twice to a file without batch_id and line: the same row is the same record', async () => {
    const path = fresh();
    await writeFile(path, 'DOS,Member ID,CPT\n2026-01-05,X1,62323\n');
    const records = [session({ memberKey: 'X1' }), session({ memberKey: 'X2' })];
    expect(await appendHistoryFile(path, records)).toEqual({ appended: 2 });
    const once = await readFile(path, 'utf8');
    expect(await appendHistoryFile(path, records)).toEqual({ appended: 0 });
    expect(await readFile(path, 'utf8')).toBe(once);
    expect(once).toBe('DOS,Member ID,CPT\n2026-01-05,X1,62323\n2026-03-01,X1,62323\n2026-03-01,X2,62323\n');
  });

  it('creates a missing file readable by its owner only, and refuses to append UTF-8 to a UTF-16 file', async () => {
    const path = fresh();
    await appendHistoryFile(path, [session({})]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const utf16 = fresh();
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('member_id,date_of_service,procedure_code\r\nX1,2026-01-05,62323\r\n', 'utf16le'),
    ]);
    await writeFile(utf16, bytes);
    await expect(appendHistoryFile(utf16, [session({})])).rejects.toThrow(/utf-16le text.*save it as UTF-8/);
    expect(await readFile(utf16)).toEqual(bytes);
    const loaded = await loadHistoryFile(utf16);
    expect(loaded.skippedRows).toBe(0);
    expect([...(await loaded.source.priorSessions(['X1'])).keys()]).toEqual(['X1']);
  });

  it("writes under an existing file's own columns, after its last line even without a newline", async () => {
    const path = fresh();
    await writeFile(path, '\uFEFFMBI,Notes,DOS,CPT\r\nX1,hi,2026-01-05,62323');
    await appendHistoryFile(path, [session({ memberKey: 'X2', dateOfService: '2026-02-01', line: 9 })]);
    expect(await readFile(path, 'utf8')).toBe(
      '\uFEFFMBI,Notes,DOS,CPT\r\nX1,hi,2026-01-05,62323\r\nX2,,2026-02-01,62323\r\n',
    );
    const history = parseHistoryCsv(await readFile(path, 'utf8'));
    // The file's own columns hold no provider, claim or batch.
    expect(history.sessions.get('X2')).toEqual([
      { day: epochDay('2026-02-01'), code: '62323', npi: '', claimId: '', batchId: '' },
    ]);
    expect(history.skippedRows).toBe(0);
  });

  it('refuses a file without the required columns, and a bad record, before writing', async () => {
    const path = fresh();
    await writeFile(path, 'a,b\n1,2\n');
    await expect(appendHistoryFile(path, [session()])).rejects.toMatchObject({ code: 'BAD_HISTORY' });
    await expect(appendHistoryFile(fresh(), [session({ line: 0 })])).rejects.toMatchObject({
      code: 'BAD_HISTORY_RECORD',
    });
    expect(await readFile(path, 'utf8')).toBe('a,b\n1,2\n');
  });

  it('reads back through the history reader', async () => {
    const path = fresh();
    await appendHistoryFile(path, [
      session({ memberKey: 'A', dateOfService: '2026-01-01', line: 2 }),
      session({
        memberKey: 'A',
        dateOfService: '2026-02-01',
        procedureCode: '64484',
        claimId: 'C-2',
        line: 3,
      }),
    ]);
    const batchId = '2026-11-28-nightly-0123456789';
    expect(parseHistoryCsv(await readFile(path, 'utf8')).sessions).toEqual(
      new Map([
        [
          'A',
          [
            { day: epochDay('2026-01-01'), code: '62323', npi: '1234567893', claimId: 'C-1', batchId },
            { day: epochDay('2026-02-01'), code: '64484', npi: '1234567893', claimId: 'C-2', batchId },
          ],
        ],
      ]),
    );
  });
});

async function* pagesOf(...pages: SessionRecord[][]) {
  for (const page of pages) yield page;
}

describe('writeHistoryFile', () => {
  it('writes every page under the full header, readable by its owner only', async () => {
    const path = fresh();
    const [a, b] = parseSessionRecords([session({ line: 2 }), session({ memberKey: 'MEM-2', line: 3 })]);
    expect(await writeHistoryFile(path, pagesOf([a!], [], [b!]))).toEqual({ written: 2 });
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe(historyHeader());
    expect(text.trim().split('\n')).toHaveLength(3);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves the file as it was, and no temporary file, when the records fail half way', async () => {
    const sub = await mkdtemp(join(folder, 'whole-'));
    const path = join(sub, 'export.csv');
    await writeFile(path, 'before\n');
    async function* failing() {
      yield parseSessionRecords([session({ line: 2 })]);
      throw new Error('the table stopped answering');
    }
    await expect(writeHistoryFile(path, failing())).rejects.toThrow('the table stopped answering');
    expect(await readFile(path, 'utf8')).toBe('before\n');
    expect(await readdir(sub)).toEqual(['export.csv']);
  });
});

describe('historyColumnsOf', () => {
  it('takes `line` as the batch line and the batch aliases for the rest; the first column wins', () => {
    expect(
      historyColumnsOf(['Subscriber ID', 'line', 'Service-Date', 'cpt', 'NPI', 'member_id', 'Line No']),
    ).toEqual([
      'member_id',
      'line',
      'date_of_service',
      'procedure_code',
      'provider_npi',
      undefined,
      'line_no',
    ]);
  });
});
