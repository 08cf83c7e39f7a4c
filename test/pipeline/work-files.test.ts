import { describe, expect, it } from 'vitest';
import { type ChunkPartial, checkChunk } from '../../functions/core/engine/check-chunk.js';
import { readBatch } from '../../functions/core/intake/reader.js';
import { asOfDayOf } from '../../functions/core/scrub.js';
import { PipelineError } from '../../functions/pipeline/log.js';
import {
  decodeChunk,
  decodeChunkMessage,
  decodePart,
  describeChunk,
  encodeChunk,
  encodePart,
  PART_VERSION,
  type PartFile,
} from '../../functions/pipeline/work-files.js';
import { chunksOf } from './helpers.js';

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
  it('round-trips a chunk result, typed arrays included', async () => {
    const csv = Buffer.from(
      'claim_id,line_no,member_id,date_of_service,procedure_code,dx_1,units,place_of_service,rendering_npi,charge\n' +
        'C1,1,M1,2026-03-01,62323,M54.16,1,11,1234567893,1250.00\nC1,1,M1,2026-03-01,77003,M54.16,1,11,1234567893,95.00\n',
    );
    const partials: ChunkPartial[] = [];
    await readBatch(chunksOf(csv), (chunk, layout) => {
      partials.push(checkChunk(chunk, layout, { asOfDay: asOfDayOf('2026-11-28') }));
    });
    const part: PartFile = { version: PART_VERSION, batchId: 'b', index: 0, partial: partials[0]! };
    const decoded = decodePart(Buffer.from(encodePart(part)), 'b', 0);
    expect(decoded).toMatchObject({ version: PART_VERSION, batchId: 'b', index: 0 });
    // Same content (the byte arrays come back as plain Uint8Array where the engine made Buffers).
    const plain = ({ keys, facts, plainLineNos, ...rest }: ChunkPartial) => ({
      ...rest,
      keys: { bytes: [...keys.bytes], ends: [...keys.ends] },
      plainLineNos: [...plainLineNos],
      facts: [...facts],
    });
    expect(plain(decoded.partial)).toEqual(plain(part.partial));
    expect(decoded.partial.keys.ends).toBeInstanceOf(Int32Array);
    expect(decoded.partial.facts).toBeInstanceOf(Int32Array);
    expect(() => decodePart(Buffer.from(encodePart(part)).subarray(0, -1), 'b', 0)).toThrow(/no readable/);
    expect(decoded.partial.findings.length).toBeGreaterThan(0);
    expect(() => decodePart(Buffer.from(encodePart(part)), 'b', 1)).toThrow(/does not belong/);
    expect(() => decodePart(Buffer.from('{"version":2,"batchId":"b","index":0}\n{broken'), 'b', 0)).toThrow(
      /no readable/,
    );
    // A part the previous release wrote (JSON, four numbers per fact) is refused by name, never misread.
    expect(() =>
      decodePart(Buffer.from('{"version":1,"batchId":"b","index":0}\n{"facts":[]}'), 'b', 0),
    ).toThrow(/earlier release/);
  });
});
