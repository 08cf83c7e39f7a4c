/**
 * A chunk: consecutive records of a batch, as the framer found them, ready to be parsed and checked
 * anywhere (this thread, a worker thread, a Lambda). Records are stored joined by `\n`, each with the
 * physical lines it spans; rejected records never enter a chunk.
 */
import { isUtf8 } from 'node:buffer';
import { type CsvError, parse } from 'csv-parse/sync';
import type { FrameSink, RejectedRecord } from './framer.js';
import { preview } from './framer.js';

export interface RawChunk {
  /** Position of the chunk in its batch, from 0. */
  readonly index: number;
  /** The records' text, `\n` between records, line terminators removed. */
  readonly text: Uint8Array;
  readonly startLines: readonly number[];
  readonly endLines: readonly number[];
}

export const DEFAULT_CHUNK_RECORDS = 20_000;
/** A chunk also closes at this many bytes, so wide records cannot make a chunk too big for a worker. */
export const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/** Collects framed records into chunks of at most `recordsPerChunk`. */
export class ChunkBuilder implements FrameSink {
  private text = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private startLines: number[] = [];
  private endLines: number[] = [];
  private nextIndex = 0;

  constructor(
    private readonly emit: (chunk: RawChunk) => void,
    private readonly onReject: (record: RejectedRecord) => void,
    private readonly recordsPerChunk = DEFAULT_CHUNK_RECORDS,
  ) {}

  get chunksEmitted(): number {
    return this.nextIndex;
  }

  frame(bytes: Buffer, start: number, end: number, startLine: number, endLine: number): void {
    const needed = this.used + (end - start) + 1;
    if (needed > this.text.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.text.length * 2));
      this.text.copy(bigger, 0, 0, this.used);
      this.text = bigger;
    }
    if (this.startLines.length > 0) this.text[this.used++] = 0x0a;
    this.used += bytes.copy(this.text, this.used, start, end);
    this.startLines.push(startLine);
    this.endLines.push(endLine);
    if (this.startLines.length >= this.recordsPerChunk || this.used >= MAX_CHUNK_BYTES) this.flush();
  }

  reject(record: RejectedRecord): void {
    this.onReject(record);
  }

  flush(): void {
    if (this.startLines.length === 0) return;
    // A fresh, exactly-sized copy: the chunk may be transferred to another thread.
    const text = new Uint8Array(this.used);
    text.set(this.text.subarray(0, this.used));
    this.emit({ index: this.nextIndex, text, startLines: this.startLines, endLines: this.endLines });
    this.nextIndex += 1;
    this.used = 0;
    this.startLines = [];
    this.endLines = [];
  }
}

/** One parsed record: its fields and where it stands in the file. */
export interface ParsedRecord {
  readonly fields: readonly string[];
  readonly line: number;
  readonly endLine: number;
}

export interface ParsedChunk {
  readonly records: ParsedRecord[];
  readonly rejected: RejectedRecord[];
}

const PARSE_OPTIONS = {
  relax_column_count: true,
  skip_records_with_error: true,
  record_delimiter: '\n',
} as const;

/**
 * Splits a chunk's records into fields with csv-parse. The whole chunk is parsed in one call; if any
 * record is malformed, csv-parse may lose its place after it, so that chunk is parsed again one
 * record at a time and only the broken records are rejected.
 */
export function parseChunk(chunk: RawChunk, width: number): ParsedChunk {
  const text = Buffer.from(chunk.text.buffer, chunk.text.byteOffset, chunk.text.byteLength);
  const count = chunk.startLines.length;
  if (isUtf8(text)) {
    let skipped = false;
    const rows = parse(text, {
      ...PARSE_OPTIONS,
      on_skip: () => {
        skipped = true;
        return undefined;
      },
    }) as string[][];
    if (!skipped && rows.length === count && rows.every((fields) => fields.length === width)) {
      const records: ParsedRecord[] = new Array(count);
      for (let index = 0; index < count; index += 1) {
        records[index] = {
          fields: rows[index]!,
          line: chunk.startLines[index]!,
          endLine: chunk.endLines[index]!,
        };
      }
      return { records, rejected: [] };
    }
  }
  return parseOneByOne(chunk, text, width);
}

function parseOneByOne(chunk: RawChunk, text: Buffer, width: number): ParsedChunk {
  const records: ParsedRecord[] = [];
  const rejected: RejectedRecord[] = [];
  let start = 0;
  for (let index = 0; index < chunk.startLines.length; index += 1) {
    const end = nextRecordEnd(text, start, chunk.startLines[index]!, chunk.endLines[index]!);
    const bytes = text.subarray(start, end);
    start = end + 1;
    const line = chunk.startLines[index]!;
    const endLine = chunk.endLines[index]!;
    if (!isUtf8(bytes)) {
      rejected.push({
        line,
        endLine,
        reason: 'record is not valid UTF-8 text',
        raw: preview(bytes.toString('utf8')),
      });
      continue;
    }
    const raw = bytes.toString('utf8');
    let problem: CsvError | undefined;
    const rows = parse(raw, {
      ...PARSE_OPTIONS,
      on_skip: (error) => {
        problem ??= error;
        return undefined;
      },
    }) as string[][];
    const fields = rows[0];
    if (problem !== undefined || rows.length !== 1 || fields === undefined) {
      rejected.push({ line, endLine, reason: describeCsvError(problem), raw: preview(raw) });
    } else if (fields.length !== width) {
      rejected.push(wrongWidth(fields.length, width, line, endLine, raw));
    } else {
      records.push({ fields, line, endLine });
    }
  }
  return { records, rejected };
}

/** Records are joined by `\n`; one spanning k lines holds k-1 embedded line feeds. */
function nextRecordEnd(text: Buffer, start: number, startLine: number, endLine: number): number {
  let end = start - 1;
  for (let line = startLine; line <= endLine; line += 1) {
    const next = text.indexOf(0x0a, end + 1);
    end = next === -1 ? text.length : next;
  }
  return end;
}

function wrongWidth(
  found: number,
  width: number,
  line: number,
  endLine: number,
  raw: string,
): RejectedRecord {
  const span = endLine > line ? ` (a quoted field spans lines ${line}–${endLine})` : '';
  return { line, endLine, reason: `expected ${width} fields, found ${found}${span}`, raw: preview(raw) };
}

function describeCsvError(error: CsvError | undefined): string {
  const code: string | undefined = error?.code;
  switch (code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'malformed quoting: text follows a closing quote inside a field';
    case 'INVALID_OPENING_QUOTE': {
      const field = /on field (\d+)/.exec(error?.message ?? '')?.[1];
      return `malformed quoting: a quote appears inside an unquoted field${field === undefined ? '' : ` (field ${Number(field) + 1})`}`;
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quote';
    default:
      return error ? `malformed record: ${error.message.replace(/ at line \d+/, '')}` : 'malformed record';
  }
}
