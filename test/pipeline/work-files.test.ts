import { describe, expect, it } from 'vitest';
import { type ChunkPartial, checkChunk } from '../../functions/core/engine/check-chunk.js';
import { cutPartial } from '../../functions/core/engine/partitioned-merge.js';
import { SCALAR_FIELDS, type ScalarField } from '../../functions/core/intake/columns.js';
import { readBatch } from '../../functions/core/intake/reader.js';
import { asOfDayOf } from '../../functions/core/scrub.js';
import { workKeys } from '../../functions/pipeline/keys.js';
import { errorFacts, PipelineError } from '../../functions/pipeline/log.js';
import { readPartRoot, readShardPieces } from '../../functions/pipeline/parts.js';
import {
  DispatchedMarkerSchema,
  decodeChunk,
  decodeChunkMessage,
  decodeLock,
  decodeManifest,
  decodeRejected,
  decodeSection,
  decodeShard,
  decodeShardSection,
  describeChunk,
  type EncodedRuns,
  encodeChunk,
  encodeJson,
  encodePart,
  encodeShard,
  type FailureMarker,
  FailureMarkerSchema,
  type Manifest,
  MergeDoneSchema,
  PART_VERSION,
  partLayoutOf,
  shardLayoutOf,
} from '../../functions/pipeline/work-files.js';
import { chunksOf, memoryStore } from './helpers.js';

describe('chunk payload', () => {
  it('round-trips the records bytes and their physical lines', () => {
    const text = Buffer.from('a,b\n"x\ny",z\nc,"d,e"', 'utf8');
    const chunk = { index: 3, text: new Uint8Array(text), startLines: [2, 3, 5], endLines: [2, 4, 5] };
    const decoded = decodeChunk(encodeChunk('2026-11-28-b-0123456789', chunk), '2026-11-28-b-0123456789', 3);
    expect(Buffer.from(decoded.text).equals(text)).toBe(true);
    expect(decoded).toMatchObject({ index: 3, startLines: [2, 3, 5], endLines: [2, 4, 5] });
  });

  it('refuses a payload of another batch or chunk', () => {
    const payload = encodeChunk('batch-a', {
      index: 0,
      text: new Uint8Array(),
      startLines: [],
      endLines: [],
    });
    expect(() => decodeChunk(payload, 'batch-b', 0)).toThrow(PipelineError);
    expect(() => decodeChunk(payload, 'batch-a', 1)).toThrow(/does not belong/);
    expect(() => decodeChunk(Buffer.from('no header'), 'batch-a', 0)).toThrow(/no header/);
  });

  it('names a missing chunk by its lines', () => {
    expect(describeChunk({ index: 2, firstLine: 102, lastLine: 151, records: 50 })).toBe(
      'chunk 2 (lines 102-151, 50 records)',
    );
  });
});

describe('decodeChunkMessage', () => {
  it('reads chunk and finalize messages', () => {
    expect(decodeChunkMessage('{"version":1,"kind":"chunk","batchId":"b","index":4}')).toEqual({
      version: 1,
      kind: 'chunk',
      batchId: 'b',
      index: 4,
    });
    expect(decodeChunkMessage('{"version":1,"kind":"finalize","batchId":"b"}')).toMatchObject({
      kind: 'finalize',
    });
  });

  it.each([
    'garbage',
    '{"version":2,"kind":"chunk","batchId":"b","index":1}',
    '{"version":1,"kind":"chunk","batchId":"b","index":-1}',
    '{"version":1,"kind":"chunk","index":1}',
  ])('refuses %s as unreadable', (body) => {
    expect(() => decodeChunkMessage(body)).toThrow(expect.objectContaining({ code: 'UNREADABLE_MESSAGE' }));
  });
});

describe('part file', () => {
  const header = (fields: Record<string, unknown>) => Buffer.from(`${JSON.stringify(fields)}\n`);

  it("holds the root and each shard's two pieces, read back by sections", async () => {
    const csv = Buffer.from(
      'claim_id,line_no,member_id,date_of_service,procedure_code,dx_1,units,place_of_service,rendering_npi,charge\n' +
        'C1,1,M1,2026-03-01,62323,M54.16,1,11,1234567893,1250.00\nC1,1,M1,2026-03-01,77003,M54.16,1,11,1234567893,95.00\n' +
        'C2,1,M2,2026-03-01,62323,M54.16,1,11,1234567893,1250.00\nC3,1,M3,2026-03-02,62323,M54.16,1,11,1234567893,1250.00\n',
    );
    const partials: ChunkPartial[] = [];
    await readBatch(chunksOf(csv), (chunk, layout) => {
      partials.push(checkChunk(chunk, layout, { asOfDay: asOfDayOf('2026-11-28') }));
    });
    const partial = partials[0]!;
    const shards = 3;
    const cut = cutPartial(partial, shards);
    const root = { ...cut.root, findings: partial.findings, echoes: partial.echoes };
    const bytes = encodePart({
      batchId: BATCH,
      index: 0,
      root,
      claimPieces: cut.claimPieces,
      memberPieces: cut.memberPieces,
    });
    const store = memoryStore();
    await store.write('work', keys.part(0), bytes);
    const manifest = { ...validManifest, shards };

    const rootBack = await readPartRoot(store, 'work', manifest, 0);
    expect(rootBack.findings).toEqual(partial.findings);
    expect(rootBack.checked).toBe(partial.checked);
    expect(rootBack.lines).toEqual([]);
    // Every line with a claim id is in exactly one shard's claim piece, and the pieces are the cut's.
    const claimLines: number[] = [];
    for (let shard = 0; shard < shards; shard += 1) {
      const { claims, members } = await readShardPieces(store, 'work', manifest, 0, shard);
      expect(claims?.lines ?? null).toEqual(
        cut.claimPieces[shard] ? decodeSection(cut.claimPieces[shard]!, BATCH, 0)!.lines : null,
      );
      expect(members?.lines ?? null).toEqual(
        cut.memberPieces[shard] ? decodeSection(cut.memberPieces[shard]!, BATCH, 0)!.lines : null,
      );
      claimLines.push(...(claims?.lines ?? []));
    }
    expect(claimLines.sort((a, b) => a - b)).toEqual(partial.lines);

    // The header is checked: the chunk, the release, the shard count; a short file says so.
    expect(() => partLayoutOf(bytes, BATCH, 1, shards)).toThrow(/does not belong/);
    expect(() => partLayoutOf(bytes, BATCH, 0, 2)).toThrow(/not cut into the manifest's 2 shards/);
    expect(partLayoutOf(bytes.subarray(0, 5), BATCH, 0, shards)).toBe('longer');
    const layout = partLayoutOf(bytes, BATCH, 0, shards);
    if (layout === 'longer') throw new Error('unreachable');
    await store.write('work', keys.part(0), bytes.subarray(0, layout.offsets[1]! + 1));
    const filled = cut.claimPieces.findIndex((piece) => piece !== null);
    await expect(readShardPieces(store, 'work', manifest, 0, filled)).rejects.toThrow(
      /shorter than its header says/,
    );
    await expect(readPartRoot(store, 'work', manifest, 1)).rejects.toThrow(
      expect.objectContaining({ code: 'PART_MISSING' }),
    );
    // A part an earlier release wrote (versions 1 and 2: no shards) is refused by name, never misread.
    for (const version of [1, 2])
      expect(() => partLayoutOf(header({ version, batchId: BATCH, index: 0 }), BATCH, 0, 1)).toThrow(
        /earlier release/,
      );
    expect(() => decodeSection(Buffer.from('{broken'), BATCH, 0)).toThrow(/no readable chunk result/);
    expect(PART_VERSION).toBe(3);
  });
});

describe('shard result', () => {
  const head = { batchId: 'b', state: 'complete', shard: 2 };
  const texts = (runs: EncodedRuns) => runs.map((run) => run.map((record) => Buffer.from(record).toString()));

  it("round-trips its counts and each range's runs, and refuses another shard's or a cut file", () => {
    const sections = [
      [[Buffer.from('ab'), Buffer.from('c')], [Buffer.from('defg')]],
      [],
      [[Buffer.from('h')]],
    ];
    const bytes = encodeShard(
      { version: 2, ...head, claims: 4, members: 3, historyIgnoredRows: 2 },
      sections,
    );
    const back = decodeShard(bytes, 'k', head);
    expect(back.header).toMatchObject({ claims: 4, members: 3, historyIgnoredRows: 2 });
    expect(back.sections.map(texts)).toEqual([[['ab', 'c'], ['defg']], [], [['h']]]);
    expect(() => decodeShard(bytes, 'k', { ...head, shard: 1 })).toThrow(/another batch, state or shard/);
    expect(() => decodeShard(bytes.subarray(0, -1), 'k', head)).toThrow(/shorter than its header says/);
    expect(() => decodeShard(Buffer.concat([bytes, Buffer.from('x')]), 'k', head)).toThrow(
      /longer than its header says/,
    );
  });

  it('gives each section its own byte span, so a render reads only its range', () => {
    const sections = [[[Buffer.from('ab')]], [[Buffer.from('cde'), Buffer.from('f')]]];
    const bytes = encodeShard(
      { version: 2, ...head, claims: 0, members: 0, historyIgnoredRows: 0 },
      sections,
    );
    const layout = shardLayoutOf(bytes, 'k', head);
    if (layout === 'longer') throw new Error('the whole file holds its header');
    expect(layout.offsets.at(-1)).toBe(bytes.byteLength);
    expect(texts(decodeShardSection(bytes.subarray(layout.offsets[1], layout.offsets[2]), 'k'))).toEqual([
      ['cde', 'f'],
    ]);
    expect(shardLayoutOf(bytes.subarray(0, 10), 'k', head)).toBe('longer');
    // A result of release 1 (its runs in one list) is refused, never misread.
    const older = Buffer.from(
      `${JSON.stringify({ version: 1, ...head, claims: 0, members: 0, runs: [] })}\n`,
    );
    expect(() => decodeShard(older, 'k', head)).toThrow(
      /earlier release of scrub62323; upload the batch again/,
    );
  });
});

const BATCH = '2026-11-28-b-0123456789';
const keys = workKeys(BATCH);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const badFile = (message: unknown) => expect.objectContaining({ code: 'BAD_WORK_FILE', message });

const validManifest: Manifest = {
  version: 1,
  batchId: BATCH,
  source: {
    bucket: 'intake',
    key: 'incoming/b.csv',
    eTag: 'abc',
    sequencer: '00AB',
    name: 'b.csv',
    bytes: 300,
    sha256: 'f'.repeat(64),
    gzipped: false,
    encoding: 'utf-8',
  },
  eventTime: '2026-11-28T01:02:03.000Z',
  asOf: '2026-11-28',
  layout: {
    width: 3,
    scalar: Object.fromEntries(
      SCALAR_FIELDS.map((field, index) => [field, index < 3 ? index : -1]),
    ) as Record<ScalarField, number>,
    modifierColumns: [],
    modifierListColumns: [],
    diagnosisColumns: [],
    diagnosisListColumns: [],
    unknownColumns: ['extra'],
  },
  unknownColumns: ['extra'],
  rulePacks: { packs: [{ origin: 'packs/a.json', text: '{}' }], defaultPack: 'a' },
  expectedChunks: 1,
  shards: 1,
  expectedLines: 3,
  framerRejected: 1,
  chunks: [{ index: 0, firstLine: 2, lastLine: 3, records: 2 }],
  createdAt: '2026-11-28T01:02:04.000Z',
};

describe('manifest', () => {
  it('reads back exactly what split writes', () => {
    const bytes = encodeJson(validManifest);
    const decoded = decodeManifest(Buffer.from(bytes), keys.manifest);
    expect(decoded).toEqual(validManifest);
    expect(encodeJson(decoded)).toBe(bytes); // same fields, same order
  });

  it.each([
    [{ ...validManifest, chunks: undefined }, 'chunks: missing'],
    [{ ...validManifest, version: 2 }, 'version: expected 1'],
    [{ ...validManifest, expectedLines: '3' }, 'expectedLines: expected a number'],
    [{ ...validManifest, expectedLines: 2.5 }, 'expectedLines: expected a whole number'],
    [{ ...validManifest, asOf: '2026-02-30' }, 'asOf: expected a YYYY-MM-DD date'],
    [{ ...validManifest, chunks: [{ index: 0, firstLine: 2, lastLine: 3 }] }, 'chunks[0].records: missing'],
    [
      { ...validManifest, source: { ...validManifest.source, gzipped: 'no' } },
      'source.gzipped: expected true or false',
    ],
    [
      { ...validManifest, layout: { ...validManifest.layout, scalar: { claim_id: 0 } } },
      /^work\/.*\/manifest\.json: layout\.scalar\.\w+: missing$/,
    ],
  ])('refuses a manifest with a bad field (%#)', (manifest, message) => {
    const expected =
      typeof message === 'string' ? `${keys.manifest}: ${message}` : expect.stringMatching(message);
    expect(() => decodeManifest(json(manifest), keys.manifest)).toThrow(badFile(expected));
  });

  it('refuses a manifest that is not JSON, or not an object', () => {
    expect(() => decodeManifest(Buffer.from('{"version":1,'), keys.manifest)).toThrow(
      badFile(`${keys.manifest}: not JSON`),
    );
    expect(() => decodeManifest(json([1, 2]), keys.manifest)).toThrow(
      badFile(`${keys.manifest}: expected an object`),
    );
  });
});

describe('merge lock', () => {
  const lockKey = keys.lock('complete', 0);
  const lock = { version: 1, owner: 'message:a', takenAt: '2026-11-28T10:00:00.000Z' };

  it('reads a lock', () => {
    expect(decodeLock(json(lock), lockKey)).toEqual(lock);
  });

  it.each([
    [{ version: 1, owner: 'message:a' }, 'takenAt: missing'],
    [{ ...lock, takenAt: 1_700_000_000_000 }, 'takenAt: expected a string'],
    [{ ...lock, takenAt: 'yesterday' }, 'takenAt: expected a date-time'],
    [{ ...lock, owner: '' }, 'owner: must not be empty'],
    [{ ...lock, version: undefined }, 'version: missing'],
  ])('refuses a lock with a bad field (%#): never "alive forever"', (bad, problem) => {
    expect(() => decodeLock(json(bad), lockKey)).toThrow(badFile(`${lockKey}: ${problem}`));
    expect(() => decodeLock(json(bad), lockKey)).toThrow(PipelineError);
  });

  it('refuses a lock that is not JSON', () => {
    expect(() => decodeLock(Buffer.from('locked'), lockKey)).toThrow(badFile(`${lockKey}: not JSON`));
  });
});

describe('rejected records file', () => {
  const record = { line: 7, endLine: 8, reason: 'unclosed quote', raw: 'C9,1,"M-SECRET' };

  it('reads the records', () => {
    expect(decodeRejected(json({ version: 1, records: [record] }), keys.rejected)).toEqual([record]);
  });

  it('refuses a file without records instead of reading it as none', () => {
    expect(() => decodeRejected(json({ version: 1 }), keys.rejected)).toThrow(
      badFile(`${keys.rejected}: records: missing`),
    );
  });

  it('names the field and never the value (claim data)', () => {
    const bad = { version: 1, records: [record, { ...record, line: 'M-SECRET-42' }] };
    expect(() => decodeRejected(json(bad), keys.rejected)).toThrow(
      badFile(`${keys.rejected}: records[1].line: expected a number`),
    );
    expect(() => decodeRejected(Buffer.from('M-SECRET-42,1'), keys.rejected)).toThrow(
      badFile(`${keys.rejected}: not JSON`),
    );
  });
});

describe('chunk payload header', () => {
  it('names the chunk file and the field', () => {
    const header = { version: 1, batchId: BATCH, index: 0, startLines: [2], endLines: ['2'] };
    expect(() => decodeChunk(Buffer.from(`${JSON.stringify(header)}\nC1`), BATCH, 0)).toThrow(
      badFile(`${keys.chunk(0)}: endLines: entry 0 is not a whole number, 0 or more`),
    );
    expect(() => decodeChunk(Buffer.from('{"version":1\nC1'), BATCH, 0)).toThrow(
      badFile(`${keys.chunk(0)}: not JSON`),
    );
    for (const startLines of [[-1], [2.5], 'x', undefined]) {
      const bad = { ...header, endLines: [2], startLines };
      expect(
        () => decodeChunk(Buffer.from(`${JSON.stringify(bad)}\nC1`), BATCH, 0),
        String(startLines),
      ).toThrow(/startLines: /);
    }
    const uneven = { ...header, endLines: [2, 3] };
    expect(() => decodeChunk(Buffer.from(`${JSON.stringify(uneven)}\nC1`), BATCH, 0)).toThrow(
      /endLines: expected one entry per startLines entry/,
    );
  });

  it('names the part file when its header is broken', () => {
    expect(() => partLayoutOf(Buffer.from('{"version":3,"batchId":"b"}\n'), 'b', 0, 1)).toThrow(
      badFile(`${workKeys('b').part(0)}: part 0 has no readable header (index: missing)`),
    );
  });
});

describe('chunk message problems', () => {
  it.each([
    ['{"version":1,"kind":"chunk","batchId":"b"}', 'index: missing'],
    ['{"version":1,"kind":"chunk","batchId":"b","index":"4"}', 'index: expected a number'],
    ['{"version":1,"kind":"merge","batchId":"b"}', 'kind: expected "chunk" or "finalize"'],
    ['{"version":1,"kind":"finalize","batchId":""}', 'batchId: must not be empty'],
    ['{"version":1,"kind":"chunk"', 'not JSON'],
  ])('names the field of %s', (body, problem) => {
    expect(() => decodeChunkMessage(body)).toThrow(
      expect.objectContaining({
        name: 'PipelineError',
        code: 'UNREADABLE_MESSAGE',
        message: `the chunk message is not a scrub62323 chunk message: ${problem}`,
      }),
    );
  });
});

describe('markers', () => {
  it('the failure marker, dispatched and done markers validate take the form their schemas give', () => {
    const marker: FailureMarker = {
      version: 1,
      batchId: BATCH,
      index: 3,
      receiveCount: 3,
      failedAt: '2026-11-28T10:00:00.000Z',
      error: errorFacts(new PipelineError('CHUNK_MISSING', 'chunk 3 payload is missing')),
    };
    expect(FailureMarkerSchema.parse(JSON.parse(encodeJson(marker)))).toEqual(marker);
    expect(FailureMarkerSchema.safeParse({ ...marker, failedAt: 'later' }).success).toBe(false);
    expect(DispatchedMarkerSchema.parse({ version: 1, messages: 4 })).toEqual({ version: 1, messages: 4 });
    expect(MergeDoneSchema.safeParse({ version: 1 }).success).toBe(false);
  });
});
