/** The split handler on typed SQS events: partial batch responses, and logs tagged with the request id. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../functions/pipeline/log.js';
import { chunkLinesFor, createSplitHandler } from '../../../functions/pipeline/split.js';
import {
  lambdaContext,
  s3EventBody,
  s3EventRecord,
  s3TestEventBody,
  sqsEvent,
  sqsRecord,
} from '../../support/events.js';
import { memoryStore, syntheticBatch } from '../helpers.js';
import { harness, INTAKE_BUCKET, keepingSender, splitConfig } from './handlers.js';

/** A log line as JSON (any JSON object: the assertions say what it must hold). */
const parsed = (line: string): Record<string, unknown> => JSON.parse(line);

const upload = (key: string) => sqsRecord(s3EventBody(s3EventRecord({ bucket: INTAKE_BUCKET, key })));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the split handler', () => {
  it('reports only the messages that failed, and splits the others', async () => {
    const h = harness();
    await h.store.write(INTAKE_BUCKET, 'incoming/nightly.csv', syntheticBatch(30));
    const good = upload('incoming/nightly.csv');
    const unreadable = sqsRecord('not an S3 event');
    const test = sqsRecord(s3TestEventBody());
    const notRecords = sqsRecord(JSON.stringify({ Records: 'none' }));
    const response = await h.split(sqsEvent(good, unreadable, test, notRecords), lambdaContext('split'));
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: unreadable.messageId }, { itemIdentifier: notRecords.messageId }],
    });
    expect(h.sender.sent).toHaveLength(3); // 30 records, 10 a chunk
  });

  it('ignores a folder marker (incoming/<pack>/, the S3 console\'s "Create folder"): no batch, no report', async () => {
    const h = harness();
    await h.store.write(INTAKE_BUCKET, 'incoming/commercial/', '');
    const response = await h.split(sqsEvent(upload('incoming/commercial/')), lambdaContext('split'));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(h.sender.sent).toEqual([]);
    expect([...h.store.objects.keys()]).toEqual([`${INTAKE_BUCKET}/incoming/commercial/`]);
  });

  it('answers any other upload: a rejected manifest (UNSUPPORTED_FILE) and one finalize message', async () => {
    const h = harness();
    await h.store.write(INTAKE_BUCKET, 'incoming/commercial/Notes.TXT', 'hello\n');
    await h.split(sqsEvent(upload('incoming/commercial/Notes.TXT')), lambdaContext('split'));
    expect(h.sender.sent.map((body) => JSON.parse(body).kind)).toEqual(['finalize']);
    const manifestKey = [...h.store.objects.keys()].find((key) => key.endsWith('/manifest.json'))!;
    const manifest = JSON.parse(Buffer.from(h.store.objects.get(manifestKey)!).toString('utf8'));
    expect(manifest).toMatchObject({
      rejection: { code: 'UNSUPPORTED_FILE' },
      source: { name: 'Notes.TXT', bytes: 6, gzipped: false },
      expectedChunks: 0,
      rulePacks: { packs: [] },
    });
    expect(h.logs.map(parsed)).toContainEqual(
      expect.objectContaining({
        message: 'upload refused: not a batch file',
        code: 'UNSUPPORTED_FILE',
        bytes: 6,
      }),
    );
  });

  it('reports a batch whose every message failed instead of throwing', async () => {
    const h = harness();
    const first = sqsRecord('{');
    const second = sqsRecord('[]');
    await expect(h.split(sqsEvent(first, second), lambdaContext('split'))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: first.messageId }, { itemIdentifier: second.messageId }],
    });
  });

  it('tags every log line with the request id of its invocation', async () => {
    const h = harness();
    await h.store.write(INTAKE_BUCKET, 'incoming/nightly.csv', syntheticBatch(30));
    await h.split(
      sqsEvent(upload('incoming/nightly.csv'), sqsRecord('not JSON')),
      lambdaContext('split', { awsRequestId: 'request-1' }),
    );
    await h.split(
      sqsEvent(sqsRecord(s3TestEventBody())),
      lambdaContext('split', { awsRequestId: 'request-2' }),
    );
    const lines = h.logs.map(parsed);
    const failed = lines.find((line) => line.message === 'intake message failed');
    expect(failed).toMatchObject({ function_request_id: 'request-1', function_name: 'scrub62323-split' });
    expect(
      lines.filter((line) => line.function_request_id === 'request-2').map((line) => line.message),
    ).toEqual(['s3:TestEvent ignored']);
    expect(lines.every((line) => typeof line.function_request_id === 'string')).toBe(true);
  });

  it('prints the request id on the Powertools log lines', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const handler = createSplitHandler({
      config: splitConfig,
      store: memoryStore(),
      sender: keepingSender(),
      logger: createLogger('split', 'INFO'),
    });
    const context = lambdaContext('split', { awsRequestId: 'c0ffee00-0000-4000-8000-000000000001' });
    await handler(sqsEvent(sqsRecord(s3TestEventBody())), context);
    const line = printed.map(parsed).find((entry) => entry.message);
    expect(line).toMatchObject({
      message: 's3:TestEvent ignored',
      function: 'split',
      function_request_id: 'c0ffee00-0000-4000-8000-000000000001',
      function_name: 'scrub62323-split',
      function_memory_size: '1024',
    });
  });
});

describe('chunkLinesFor', () => {
  it('keeps CHUNK_LINES for any upload up to ~1.3 GB, and aims a bigger one at about 1,000 chunks', () => {
    expect(chunkLinesFor(100, 'incoming/a.csv', 20_000)).toBe(20_000);
    expect(chunkLinesFor(1_280_000_000, 'incoming/a.csv', 20_000)).toBe(20_000);
    // 10 GB: at least 64 bytes a line, so at most 156.25M records, in chunks of 156,250.
    expect(chunkLinesFor(10_000_000_000, 'incoming/a.csv', 20_000)).toBe(156_250);
    // A gzipped upload is taken to unpack six to one; chunks never exceed what validate is sized for.
    expect(chunkLinesFor(10_000_000_000 / 6, 'incoming/a.CSV.GZ', 20_000)).toBe(156_250);
    expect(chunkLinesFor(1e12, 'incoming/a.csv', 20_000)).toBe(200_000);
    expect(chunkLinesFor(100, 'incoming/a.csv', 50)).toBe(50);
  });
});
