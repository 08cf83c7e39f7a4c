/**
 * A chunk: consecutive records of a batch, as the framer found them, ready to be parsed and checked
 * anywhere (this thread, a worker thread, a Lambda). Records are stored joined by `\n`, each with the
 * physical lines it spans; rejected records never enter a chunk.
 */
import { isUtf8 } from 'node:buffer';
import { type CsvError, parse } from 'csv-parse/sync';
import { LF } from './chars.js';
import { splitRecord } from './fields.js';
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

  /**
   * The records framed but not yet copied: bytes [runStart, runEnd) of `run`. Records that follow one
   * another in the framer's bytes, one line feed apart, are copied as one run when the framer lets go
   * of its bytes (release) or the chunk closes: a copy per record was a few percent of the check.
   */
  private run: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;
  /** Records of the chunk before the run began: the run needs a line feed before it when any. */
  private recordsBeforeRun = 0;

  frame(bytes: Buffer, start: number, end: number, startLine: number, endLine: number): void {
    if (this.run === bytes && start === this.runEnd + 1 && bytes[this.runEnd] === LF) this.runEnd = end;
    else {
      this.copyRun();
      this.run = bytes;
      this.runStart = start;
      this.runEnd = end;
      this.recordsBeforeRun = this.startLines.length;
    }
    this.startLines.push(startLine);
    this.endLines.push(endLine);
    if (
      this.startLines.length >= this.recordsPerChunk ||
      this.used + (this.runEnd - this.runStart) >= MAX_CHUNK_BYTES
    )
      this.flush();
  }

  /** The framer is done with the bytes it has handed over: copy what is still only there. */
  release(): void {
    this.copyRun();
  }

  private copyRun(): void {
    const { run } = this;
    if (run === undefined) return;
    this.run = undefined;
    const separator = this.recordsBeforeRun > 0 ? 1 : 0;
    const needed = this.used + separator + (this.runEnd - this.runStart);
    if (needed > this.text.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.text.length * 2));
      this.text.copy(bigger, 0, 0, this.used);
      this.text = bigger;
    }
    if (separator === 1) this.text[this.used++] = LF;
    this.used += run.copy(this.text, this.used, this.runStart, this.runEnd);
  }

  reject(record: RejectedRecord): void {
    this.onReject(record);
  }

  flush(): void {
    this.copyRun();
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

/** The options csv-parse runs with here (exported for the test that holds the fast splitter to it). */
export const PARSE_OPTIONS = {
  relax_column_count: true,
  skip_records_with_error: true,
  record_delimiter: '\n',
} as const;

/** Receives a chunk's records in order; `fields` is reused for the next record, so copy what you keep. */
export interface RecordVisitor {
  record(fields: readonly string[], line: number, endLine: number): void;
  reject(record: RejectedRecord): void;
}

/**
 * Splits a chunk's records into fields and hands them to `visitor` in order. Well-formed records
 * take the fast splitter; any record it declines is parsed again on its own by csv-parse, which
 * either accepts it or says what is wrong with it. A chunk that is not valid UTF-8, or holds a NUL,
 * is checked record by record, so only the records with bad bytes are rejected.
 */
export function visitChunk(chunk: RawChunk, width: number, visitor: RecordVisitor): void {
  const bytes = Buffer.from(chunk.text.buffer, chunk.text.byteOffset, chunk.text.byteLength);
  const { startLines, endLines } = chunk;
  if (!isUtf8(bytes) || bytes.includes(0)) {
    visitOneByOne(chunk, bytes, width, visitor);
    return;
  }
  const fields: string[] = new Array(width);
  let first = 0;
  let windowStart = 0;
  while (first < startLines.length) {
    // The records of the next window: whole records, at least one, up to about WINDOW_BYTES.
    let end = nextRecordEnd(bytes, windowStart, startLines[first]!, endLines[first]!);
    let last = first + 1;
    while (last < startLines.length && end - windowStart < WINDOW_BYTES) {
      end = nextRecordEnd(bytes, end + 1, startLines[last]!, endLines[last]!);
      last += 1;
    }
    visitWindow(bytes.toString('utf8', windowStart, end), chunk, first, last, width, fields, visitor);
    first = last;
    windowStart = end + 1;
  }
}

/**
 * A chunk's text is decoded a window at a time, at record ends. A string of a whole chunk (about
 * 1.4 MB) is a large object that only a full collection frees; windows this size stay in the young
 * generation and die there (a tenth less peak memory at 1M lines).
 */
const WINDOW_BYTES = 64 * 1024;

/** Visits records [first, last) of `chunk`, whose text (whole records) is `text`. */
function visitWindow(
  text: string,
  chunk: RawChunk,
  first: number,
  last: number,
  width: number,
  fields: string[],
  visitor: RecordVisitor,
): void {
  const { startLines, endLines } = chunk;
  let start = 0;
  // The first quote at or after `start` (-1: none left): a record before it has no quoted field.
  let nextQuote = text.indexOf('"');
  for (let index = first; index < last; index += 1) {
    const line = startLines[index]!;
    const endLine = endLines[index]!;
    const end = nextRecordEnd(text, start, line, endLine);
    if (nextQuote !== -1 && nextQuote < start) nextQuote = text.indexOf('"', start);
    const plain = line === endLine && (nextQuote === -1 || nextQuote >= end);
    if (splitRecord(text, start, end, width, fields, plain)) visitor.record(fields, line, endLine);
    else visitParsed(text.slice(start, end), line, endLine, width, visitor);
    start = end + 1;
  }
}

/** Every record of a chunk with its fields, and the rejected ones: for callers that keep them all. */
export function parseChunk(chunk: RawChunk, width: number): ParsedChunk {
  const records: ParsedRecord[] = [];
  const rejected: RejectedRecord[] = [];
  visitChunk(chunk, width, {
    record: (fields, line, endLine) => records.push({ fields: [...fields], line, endLine }),
    reject: (record) => rejected.push(record),
  });
  return { records, rejected };
}

function visitOneByOne(chunk: RawChunk, text: Buffer, width: number, visitor: RecordVisitor): void {
  let start = 0;
  for (let index = 0; index < chunk.startLines.length; index += 1) {
    const end = nextRecordEnd(text, start, chunk.startLines[index]!, chunk.endLines[index]!);
    const bytes = text.subarray(start, end);
    start = end + 1;
    const line = chunk.startLines[index]!;
    const endLine = chunk.endLines[index]!;
    const reason = !isUtf8(bytes)
      ? 'record is not valid UTF-8 text'
      : bytes.includes(0)
        ? 'record holds a NUL byte (binary data, not text)'
        : undefined;
    if (reason === undefined) visitParsed(bytes.toString('utf8'), line, endLine, width, visitor);
    // The raw text shows each bad byte as U+FFFD: rejected.csv stays text.
    else
      visitor.reject({
        line,
        endLine,
        reason,
        raw: preview(bytes.toString('utf8').replaceAll('\0', '\uFFFD')),
      });
  }
}

/** One record through csv-parse: its fields, or the reason it is rejected. */
function visitParsed(
  raw: string,
  line: number,
  endLine: number,
  width: number,
  visitor: RecordVisitor,
): void {
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
    visitor.reject({ line, endLine, reason: describeCsvError(problem), raw: preview(raw) });
  } else if (!fitsWidth(fields, width)) {
    visitor.reject(wrongWidth(fields.length, width, line, endLine, raw));
  } else {
    fields.length = width;
    visitor.record(fields, line, endLine);
  }
}

/** `width` fields, or more whose extra ones are all empty (trailing commas read as if not there). */
function fitsWidth(fields: readonly string[], width: number): boolean {
  if (fields.length < width) return false;
  for (let index = width; index < fields.length; index += 1) if (fields[index] !== '') return false;
  return true;
}

/** Records are joined by `\n`; one spanning k lines holds k-1 embedded line feeds. */
function nextRecordEnd(text: string | Buffer, start: number, startLine: number, endLine: number): number {
  let end = start - 1;
  for (let line = startLine; line <= endLine; line += 1) {
    // '\n' finds the same line feed in the decoded text and in its UTF-8 bytes.
    const next = text.indexOf('\n', end + 1);
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
      // csv-parse's own messages may quote the record's values: name the code only.
      return code ? `malformed record (${code})` : 'malformed record';
  }
}
