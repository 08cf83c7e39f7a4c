/**
 * Byte-range splitting on the split handler over an in-memory store: what is sent where, and that
 * duplicates, races and crashes still make one manifest and one set of chunk messages.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SplitConfig } from '../../../functions/pipeline/config.js';
import type { MessageSender, ObjectStore } from '../../../functions/pipeline/ports.js';
import { createSplitHandler } from '../../../functions/pipeline/split.js';
import { joinRanges, rangeableHeaderOf } from '../../../functions/pipeline/split-ranges.js';
import { MIN_SPLIT_RANGE_BYTES } from '../../../functions/pipeline/topology.js';
import { decodeManifest } from '../../../functions/pipeline/work-files.js';
import { lambdaContext, s3EventBody, s3EventRecord, sqsEvent, sqsRecord } from '../../support/events.js';
import { faultyStore, InjectedCrash, memoryStore, recordingLogger, syntheticBatch } from '../helpers.js';
import { INTAKE_BUCKET, splitConfig } from './handlers.js';

const INTAKE_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/scrub62323-intake';
const config: SplitConfig = {
  ...splitConfig,
  chunkLines: 200,
  intakeQueueUrl: INTAKE_QUEUE,
  splitRangeBytes: MIN_SPLIT_RANGE_BYTES,
  intakeMaxReceiveCount: 3,
};
const KEY = 'incoming/large.csv';

/** The split handler with its two queues kept apart; `wrap` changes the store it sees. */
function ranged(wrap: (store: ObjectStore) => ObjectStore = (store) => store) {
  const store = memoryStore();
  const queues = { intake: [] as string[], chunk: [] as string[] };
  const sender: MessageSender = {
    async sendAll(queueUrl, bodies) {
      (queueUrl === INTAKE_QUEUE ? queues.intake : queues.chunk).push(...bodies);
    },
  };
  const logs: string[] = [];
  const split = createSplitHandler({
    config,
    store: wrap(store),
    sender,
    logger: recordingLogger(logs)('split'),
  });
  const invoke = (...records: ReturnType<typeof sqsRecord>[]) =>
    split(sqsEvent(...records), lambdaContext('split'));
  return { store, queues, logs, invoke };
}

async function upload(h: ReturnType<typeof ranged>, lines = 3000) {
  const csv = syntheticBatch(lines);
  await h.store.write(INTAKE_BUCKET, KEY, csv);
  const event = sqsRecord(s3EventBody(s3EventRecord({ bucket: INTAKE_BUCKET, key: KEY, size: csv.length })));
  return { csv, event };
}

const kinds = (bodies: readonly string[]) => bodies.map((body) => JSON.parse(body).kind as string);

function manifestOf(h: ReturnType<typeof ranged>) {
  const key = [...h.store.objects.keys()].find((name) => name.endsWith('/manifest.json'));
  return key ? decodeManifest(h.store.objects.get(key)!, key) : undefined;
}

describe('byte-range splitting in the split handler', () => {
  it('plans the ranges, then each range and the hash, then one manifest whose chunks number the upload in order', async () => {
    const h = ranged();
    const { csv, event } = await upload(h);
    expect(await h.invoke(event)).toEqual({ batchItemFailures: [] });
    const ranges = Math.ceil(csv.length / MIN_SPLIT_RANGE_BYTES);
    expect(kinds(h.queues.intake)).toEqual([...Array(ranges).fill('split-range'), 'split-hash']);
    expect(h.queues.chunk).toEqual([]);

    for (const body of h.queues.intake.splice(0))
      expect(await h.invoke(sqsRecord(body))).toEqual({ batchItemFailures: [] });
    const manifest = manifestOf(h)!;
    expect(manifest.chunks.map((chunk) => chunk.index)).toEqual(manifest.chunks.map((_, index) => index));
    expect(manifest.expectedLines).toBe(3000);
    expect(manifest.source).toMatchObject({ bytes: csv.length, encoding: 'utf-8', gzipped: false });
    // Lines follow on from range to range: each chunk starts on the line after the last one's end.
    for (const [at, chunk] of manifest.chunks.entries()) {
      expect(chunk.firstLine).toBe(at === 0 ? 2 : manifest.chunks[at - 1]!.lastLine + 1);
    }
    expect(manifest.chunks.at(-1)!.lastLine).toBe(3001);
    expect(kinds(h.queues.chunk)).toEqual(manifest.chunks.map(() => 'chunk'));
  });

  it('makes no second plan of a duplicate event while the ranges are under way, and nothing once dispatched', async () => {
    const h = ranged();
    const { event } = await upload(h);
    await h.invoke(event);
    const sent = h.queues.intake.length;
    await h.invoke(sqsRecord(event.body));
    expect(h.queues.intake).toHaveLength(sent);
    for (const body of h.queues.intake.splice(0)) await h.invoke(sqsRecord(body));
    const chunks = h.queues.chunk.length;
    await h.invoke(sqsRecord(event.body));
    expect(h.queues.intake).toEqual([]);
    expect(h.queues.chunk).toHaveLength(chunks);
  });

  it('sends the chunk messages once when the last two ranges finish at the same time', async () => {
    const h = ranged();
    const { event } = await upload(h);
    await h.invoke(event);
    const work = h.queues.intake.splice(0);
    for (const body of work.slice(0, -2)) await h.invoke(sqsRecord(body));
    await Promise.all(work.slice(-2).map((body) => h.invoke(sqsRecord(body))));
    const manifest = manifestOf(h)!;
    expect(h.queues.chunk).toHaveLength(manifest.expectedChunks);
  });

  it('finishes the join on the retry of the last range, which stopped after storing its result', async () => {
    let crash = false;
    const h = ranged((store) =>
      faultyStore(store, (call, key) => {
        if (crash && call === 'list' && key.endsWith('/split/ranges/')) {
          crash = false;
          throw new InjectedCrash('after the last range stored its result');
        }
      }),
    );
    const { event } = await upload(h);
    await h.invoke(event);
    const work = h.queues.intake.splice(0);
    for (const body of work.slice(0, -1)) await h.invoke(sqsRecord(body));
    crash = true;
    const last = sqsRecord(work.at(-1)!, { messageId: 'm-last' });
    expect((await h.invoke(last)).batchItemFailures).toEqual([{ itemIdentifier: 'm-last' }]);
    expect(manifestOf(h)).toBeUndefined();
    expect(await h.invoke(sqsRecord(last.body, { messageId: 'm-last', receiveCount: 2 }))).toEqual({
      batchItemFailures: [],
    });
    expect(manifestOf(h)?.expectedLines).toBe(3000);
    expect(h.queues.chunk).toHaveLength(manifestOf(h)!.expectedChunks);
  });

  it('has the upload split whole when a range fails on its last receive, so the batch still gets its report', async () => {
    let broken = true;
    const h = ranged((store) => ({
      ...store,
      async open(bucket, key, options) {
        if (broken && (options?.range?.start ?? 0) > 0) throw new Error('this range cannot be read');
        return store.open(bucket, key, options);
      },
    }));
    const { csv, event } = await upload(h);
    await h.invoke(event);
    const work = h.queues.intake.splice(0);
    for (const body of work.filter((item) => JSON.parse(item).range !== 1)) await h.invoke(sqsRecord(body));
    const failing = work.find((item) => JSON.parse(item).range === 1)!;
    for (const receiveCount of [1, 2]) await h.invoke(sqsRecord(failing, { messageId: 'm-1', receiveCount }));
    expect(h.queues.intake).toEqual([]);
    const last = await h.invoke(sqsRecord(failing, { messageId: 'm-1', receiveCount: 3 }));
    expect(last.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]); // the message still goes to the DLQ
    expect(kinds(h.queues.intake)).toEqual(['split-whole']);
    await h.invoke(sqsRecord(h.queues.intake.splice(0)[0]!));
    const manifest = manifestOf(h)!;
    expect(manifest).toMatchObject({ expectedLines: 3000, source: { bytes: csv.length } });
    expect(manifest.chunks.every((chunk) => chunk.stored === undefined)).toBe(true); // read whole
    expect(h.queues.chunk).toHaveLength(manifest.expectedChunks);
    // Redriven from the DLQ once the range can be read, it changes nothing.
    const chunks = h.queues.chunk.length;
    broken = false;
    expect(await h.invoke(sqsRecord(failing, { messageId: 'm-2' }))).toEqual({ batchItemFailures: [] });
    expect(h.queues.chunk).toHaveLength(chunks);
    expect(h.queues.intake).toEqual([]);
  });

  it('fails work for a batch with no plan, and work that is not well formed, so SQS retries them', async () => {
    const h = ranged();
    const noPlan = sqsRecord(JSON.stringify({ version: 1, kind: 'split-range', batchId: 'b-1', range: 0 }));
    const malformed = sqsRecord(
      JSON.stringify({ version: 1, kind: 'split-range', batchId: 'b-1', range: -1 }),
    );
    const response = await h.invoke(noPlan, malformed);
    expect(response.batchItemFailures.map((item) => item.itemIdentifier)).toEqual([
      noPlan.messageId,
      malformed.messageId,
    ]);
    expect(h.logs.join('\n')).toMatch(/PLAN_MISSING/);
    expect(h.logs.join('\n')).toMatch(/UNREADABLE_MESSAGE/);
  });

  it('reads a refused upload (over MAX_UPLOAD_BYTES) with the whole split, which refuses it', async () => {
    const h = ranged();
    const csv = syntheticBatch(3000);
    await h.store.write(INTAKE_BUCKET, KEY, csv);
    const small = { ...config, maxUploadBytes: 100_000 };
    const store = h.store;
    const queues: string[] = [];
    const split = createSplitHandler({
      config: small,
      store,
      sender: { sendAll: async (_url, bodies) => void queues.push(...bodies) },
      logger: recordingLogger([])('split'),
    });
    const event = sqsRecord(
      s3EventBody(s3EventRecord({ bucket: INTAKE_BUCKET, key: KEY, size: csv.length })),
    );
    await split(sqsEvent(event), lambdaContext('split'));
    expect(kinds(queues)).toEqual(['finalize']);
    expect(manifestOf(h)?.rejection?.code).toBe('UNSUPPORTED_FILE');
  });
});

describe('rangeableHeaderOf', () => {
  const header = 'claim_id,line_no,member_id\r\n';
  it('gives the first line of plain UTF-8 text, without a byte-order mark', () => {
    expect(rangeableHeaderOf(Buffer.from(`${header}C1,1,M1\n`))).toBe(header);
    expect(rangeableHeaderOf(Buffer.from(`\ufeff${header}C1,1,M1\n`))).toBe(header);
  });

  it('leaves to the whole read what ranges could not read as the whole file is read', () => {
    const cases = {
      'a blank first line (the reader takes the next one as the header)': Buffer.from(` \r\n${header}`),
      'a quote in the header line': Buffer.from('"claim_id",line_no\nC1,1\n'),
      'no line end in the first bytes': Buffer.from('claim_id,line_no'),
      gzip: gzipSync(header),
      'UTF-16': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(header, 'utf16le')]),
      'Windows-1252': Buffer.from(`${header}C1,1,M\u00e9\n`, 'latin1'),
    };
    for (const [name, head] of Object.entries(cases)) expect(rangeableHeaderOf(head), name).toBeUndefined();
  });
});

describe('joinRanges', () => {
  const plan = {
    version: 1,
    batchId: 'b',
    upload: { bucket: 'i', key: 'incoming/x.csv', eventTime: '2026-11-28T06:00:00Z' },
    size: 100,
    asOf: '2026-11-28',
    rulePacks: { packs: [] },
    header: 'h\n',
    recordsPerChunk: 2,
    ranges: [
      { index: 0, start: 0, end: 50 },
      { index: 1, start: 50, end: 100 },
    ],
    createdAt: '2026-11-28T06:00:00.000Z',
  } as const;
  const layout = {
    width: 1,
    scalar: {},
    modifierColumns: [],
    modifierListColumns: [],
    diagnosisColumns: [],
    diagnosisListColumns: [],
    unknownColumns: [],
  } as never;
  // Range 0: the header and lines 2-10 (10 line feeds); range 1 counts its first line as 2: line 11.
  type Chunk = { firstLine: number; lastLine: number; records: number };
  const result = (
    range: number,
    lineFeeds: number,
    chunk: Chunk,
    rejected: { line: number; endLine: number },
  ) => ({
    version: 1 as const,
    batchId: 'b',
    range,
    lineFeeds,
    encoding: 'utf-8' as const,
    endsAtRecord: true,
    layout,
    chunks: [{ index: 0, ...chunk }],
    rejected: [{ ...rejected, reason: 'r', raw: 'x' }],
  });
  const results = () => [
    result(0, 10, { firstLine: 2, lastLine: 10, records: 8 }, { line: 7, endLine: 7 }),
    result(1, 5, { firstLine: 2, lastLine: 6, records: 4 }, { line: 4, endLine: 5 }),
  ];

  it('numbers every range in the upload: range 1 starts on the line after range 0', () => {
    const joined = joinRanges(plan, results(), 1000);
    expect(joined).toMatchObject({
      chunks: [
        { index: 0, firstLine: 2, lastLine: 10, records: 8, stored: { range: 0, index: 0, lineOffset: 0 } },
        { index: 1, firstLine: 11, lastLine: 15, records: 4, stored: { range: 1, index: 0, lineOffset: 9 } },
      ],
      rejected: [
        { line: 7, endLine: 7 },
        { line: 13, endLine: 14 },
      ],
    });
  });

  it('will not join ranges a record runs across, read differently, refused, empty or too many', () => {
    const changed = (change: (all: ReturnType<typeof results>) => unknown) => {
      const all = results();
      change(all);
      return joinRanges(plan, all, 1000);
    };
    expect(changed((all) => Object.assign(all[0]!, { endsAtRecord: false }))).toMatch(
      /runs across the end of range 0/,
    );
    expect(changed((all) => Object.assign(all[1]!, { encoding: 'windows-1252' }))).toMatch(
      /different encodings/,
    );
    expect(
      changed((all) => void Object.assign(all[1]!, { rejection: { code: 'NOT_TEXT', message: 'm' } })),
    ).toMatch(/range 1 was rejected \(NOT_TEXT\)/);
    expect(
      changed((all) => all.map((result) => Object.assign(result, { chunks: [], rejected: [] }))),
    ).toMatch(/no range holds a record/);
    expect(joinRanges(plan, results(), 13)).toMatch(/more records than max-records/);
    expect(joinRanges(plan, results(), 14)).not.toBeTypeOf('string');
  });
});
