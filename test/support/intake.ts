/**
 * Intake-level helpers: frame a text with RecordFramer, read a batch with readBatch and parse its chunks,
 * and check that every physical line of an input is accounted for.
 */
import { expect } from 'vitest';
import { type ParsedRecord, parseChunk, type RawChunk } from '../../functions/core/intake/chunk.js';
import type { ColumnLayout } from '../../functions/core/intake/columns.js';
import { RecordFramer, type RejectedRecord } from '../../functions/core/intake/framer.js';
import { type IntakeResult, readBatch } from '../../functions/core/intake/reader.js';
import { source } from './run.js';

export interface Frame {
  readonly text: string;
  readonly line: number;
  readonly endLine: number;
}

export interface Framed {
  readonly frames: Frame[];
  readonly rejected: RejectedRecord[];
}

/** Frames `data` with a RecordFramer, fed in pieces of `piece` bytes (default: one piece). */
export function frameText(
  data: string | Uint8Array,
  options: { piece?: number; maxRecordBytes?: number; width?: number } = {},
): Framed {
  const frames: Frame[] = [];
  const rejected: RejectedRecord[] = [];
  const framer = new RecordFramer(
    {
      frame: (bytes, start, end, line, endLine) =>
        frames.push({ text: bytes.toString('utf8', start, end), line, endLine }),
      reject: (record) => rejected.push(record),
    },
    options.maxRecordBytes,
  );
  if (options.width !== undefined) framer.expectFields(options.width);
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  const size = options.piece ?? Math.max(1, bytes.length);
  for (let start = 0; start < bytes.length; start += size) framer.push(bytes.subarray(start, start + size));
  framer.end();
  return { frames, rejected };
}

export interface Intake {
  readonly result: IntakeResult;
  readonly chunks: RawChunk[];
  readonly layout: ColumnLayout | undefined;
  /** Records that parsed, in line order. */
  readonly records: ParsedRecord[];
  /** Every rejected record (framer and parser), in line order. */
  readonly rejected: RejectedRecord[];
}

/** Reads a batch the way scrubBatch does and parses every chunk. */
export async function intake(
  data: string | Uint8Array,
  options: { recordsPerChunk?: number; maxRecordBytes?: number; piece?: number } = {},
): Promise<Intake> {
  const chunks: RawChunk[] = [];
  let layout: ColumnLayout | undefined;
  const result = await readBatch(
    source(data, options.piece),
    (chunk, chunkLayout) => {
      chunks.push(chunk);
      layout = chunkLayout;
    },
    {
      ...(options.recordsPerChunk === undefined ? {} : { recordsPerChunk: options.recordsPerChunk }),
      ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
    },
  );
  const records: ParsedRecord[] = [];
  const rejected: RejectedRecord[] = [...result.rejected];
  for (const chunk of chunks) {
    const parsed = parseChunk(chunk, layout!.width);
    records.push(...parsed.records);
    rejected.push(...parsed.rejected);
  }
  records.sort((a, b) => a.line - b.line);
  rejected.sort((a, b) => a.line - b.line);
  return { result, chunks, layout: layout ?? result.layout, records, rejected };
}

/** Physical lines of a text (LF-separated; a final terminator does not start a line). */
export function physicalLines(data: string | Uint8Array): string[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const isBlank = (line: string): boolean => /^[ \t\r]*$/.test(line);

/**
 * formats.md: "every physical line of the input is accounted for in either a checked line or a
 * rejected record" — blank lines aside. Checks that the record and rejected ranges are disjoint, that
 * every non-blank line after the header lies in exactly one of them, and that no blank line outside a
 * record is counted.
 */
export function expectEveryLineAccounted(data: string | Uint8Array, read: Intake): void {
  const lines = physicalLines(data);
  const owner = new Map<number, string>();
  const claim = (from: number, to: number, what: string) => {
    expect(to, `${what} ends at or after it starts`).toBeGreaterThanOrEqual(from);
    for (let line = from; line <= to; line += 1) {
      expect(owner.get(line), `line ${line} claimed by ${what} and ${owner.get(line)}`).toBeUndefined();
      owner.set(line, what);
    }
  };
  for (const record of read.records) claim(record.line, record.endLine, `record ${record.line}`);
  for (const record of read.rejected) claim(record.line, record.endLine, `rejected ${record.line}`);
  const headerLine = lines.findIndex((line) => !isBlank(line)) + 1;
  for (let line = 1; line <= lines.length; line += 1) {
    const text = lines[line - 1]!;
    if (line <= headerLine) {
      expect(owner.has(line), `header or leading blank line ${line} is not a record`).toBe(false);
    } else if (!isBlank(text)) {
      expect(owner.has(line), `line ${line} (${JSON.stringify(text.slice(0, 60))}) is accounted for`).toBe(
        true,
      );
    } else if (owner.has(line)) {
      // A blank line may only be inside a record that spans lines.
      const range = [...read.records, ...read.rejected].find(
        (record) => record.line < line && record.endLine >= line,
      );
      expect(range, `blank line ${line} counted as a record of its own`).toBeDefined();
    }
  }
  for (const line of owner.keys())
    expect(line, 'ranges stay within the file').toBeLessThanOrEqual(lines.length);
}

/**
 * Regroups single-record chunks (read with recordsPerChunk 1) into arbitrary chunks: `groups` lists,
 * for each new chunk, the positions of the records it holds, in the order given.
 */
export function regroup(singles: readonly RawChunk[], groups: readonly (readonly number[])[]): RawChunk[] {
  return groups.map((positions, index) => {
    const parts: Buffer[] = [];
    const startLines: number[] = [];
    const endLines: number[] = [];
    positions.forEach((position, order) => {
      const single = singles[position]!;
      expect(single.startLines, 'a single-record chunk').toHaveLength(1);
      if (order > 0) parts.push(Buffer.from('\n'));
      parts.push(Buffer.from(single.text));
      startLines.push(single.startLines[0]!);
      endLines.push(single.endLines[0]!);
    });
    return { index, text: new Uint8Array(Buffer.concat(parts)), startLines, endLines };
  });
}
