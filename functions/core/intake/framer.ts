/**
 * Record framing: finds where each CSV record starts and ends in a byte stream, with its physical
 * line numbers, before any field is parsed. Framing first is what lets a batch be cut into chunks
 * at record boundaries (for workers and Lambdas), and what lets parsing resume after a broken
 * record: an unterminated quote or an over-long record costs that record, never the rest of the file.
 *
 * Quoting follows RFC 4180: a quote opens a quoted field only at the start of a field; inside, `""`
 * is a literal quote. A quote anywhere else is left for the field parser to judge.
 *
 * A stray opening quote would make everything up to the next quote one record. So a record that
 * spans lines must also parse into the header's columns (each closing quote followed by a comma or
 * the record's end, and the header's number of fields); when it does not, its first line is
 * rejected and framing resumes on the next line. That is decided on the whole record, however the
 * upload is cut into pieces.
 */

import { COMMA, CR, LF, QUOTE, SPACE, TAB, UTF8_BOM } from './chars.js';

export interface RejectedRecord {
  /** Physical line where the record starts. */
  readonly line: number;
  /** Physical line where it ends. */
  readonly endLine: number;
  readonly reason: string;
  /** The record as written (shortened when very long). */
  readonly raw: string;
}

export interface FrameSink {
  /** A record: bytes [start, end) of `bytes`, line terminator excluded. */
  frame(bytes: Buffer, start: number, end: number, startLine: number, endLine: number): void;
  reject(record: RejectedRecord): void;
  /** The bytes handed to `frame` so far may change once this returns: keep a copy of what is kept. */
  release?(): void;
}

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
const RAW_PREVIEW_CHARS = 2000;
const MISPLACED_QUOTE =
  'unterminated or misplaced quote: a quoted field opened on this line does not end where a field ends';
/** What startOfText returns while the first bytes cannot yet tell whether a byte-order mark is there. */
const NOT_YET = -1;

type RecordScan = {
  readonly kind: 'record';
  readonly end: number;
  readonly next: number;
  readonly lines: number;
};
/** The record reached the byte limit without ending; `inQuotes` is the state at the limit. */
type RunawayScan = { readonly kind: 'runaway'; readonly inQuotes: boolean; readonly atEnd: boolean };
type Scan = RecordScan | { readonly kind: 'incomplete' } | RunawayScan;

export const preview = (text: string): string =>
  text.length > RAW_PREVIEW_CHARS ? `${text.slice(0, RAW_PREVIEW_CHARS)}…` : text;

export class RecordFramer {
  private tail: Buffer = Buffer.alloc(0);
  private line = 1;
  private atFileStart = true;
  /** After an over-long line: drop bytes up to the next line feed. */
  private skippingLine = false;
  /** Fields a record must have (undefined until the header is read). */
  private width: number | undefined;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {}

  /** From now on, a record spanning lines must parse into `width` fields (trailing empty ones aside). */
  expectFields(width: number): void {
    this.width = width;
  }

  /** The physical line the next record would start on. */
  get currentLine(): number {
    return this.line;
  }

  /** Frames what `chunk` completes; `chunk` is not read again once this returns. */
  push(chunk: Buffer): void {
    if (this.tail.length === 0) {
      this.process(chunk, false);
      return;
    }
    // The record the tail starts usually ends at the chunk's first line feed: frame the two joined up
    // to there, then the rest of the chunk as it is, instead of copying the whole chunk behind the
    // tail (a batch's every byte once more, and as much garbage for the collector).
    const newline = chunk.indexOf(LF);
    if (newline !== -1) {
      this.process(Buffer.concat([this.tail, chunk.subarray(0, newline + 1)]), false);
      if (this.tail.length === 0) {
        this.process(chunk.subarray(newline + 1), false);
        return;
      }
      // A quoted record runs on past that line feed: the tail now ends where the chunk's first line does.
      this.process(Buffer.concat([this.tail, chunk.subarray(newline + 1)]), false);
      return;
    }
    this.process(Buffer.concat([this.tail, chunk]), false);
  }

  end(): void {
    this.process(this.tail, true);
    this.tail = Buffer.alloc(0);
  }

  private process(bytes: Buffer, final: boolean): void {
    let position = this.atFileStart ? this.startOfText(bytes, final) : 0;
    if (position === NOT_YET) {
      this.tail = Buffer.from(bytes);
      return;
    }
    let nextQuote = -2; // cached position of the next quote at or after `position`; -2 = unknown

    while (position < bytes.length) {
      if (this.skippingLine) {
        position = this.skipRestOfLine(bytes, position);
        continue;
      }
      const newline = bytes.indexOf(LF, position);
      if (nextQuote !== -1 && nextQuote < position) nextQuote = bytes.indexOf(QUOTE, position);
      const scan =
        nextQuote === -1 || (newline !== -1 && nextQuote > newline)
          ? scanUnquoted(bytes, position, newline, final, this.maxRecordBytes)
          : scanQuoted(bytes, position, nextQuote, newline, final, this.maxRecordBytes);

      if (scan.kind === 'incomplete') break;
      if (scan.kind === 'record' && scan.lines > 0 && !this.parses(bytes, position, scan)) {
        position = this.rejectFirstLine(bytes, position, MISPLACED_QUOTE);
        nextQuote = -2;
        continue;
      }
      if (scan.kind === 'runaway') {
        // Decided at the byte limit, whatever the buffer holds, so every way of cutting the upload
        // gives the same result: reject the record's first line and resume on the next one.
        position = this.rejectRunaway(bytes, position, scan);
        nextQuote = -2;
        continue;
      }
      position = this.frameRecord(bytes, position, scan);
    }
    // A copy: the caller may reuse its buffer once push returns (the sink copies what it keeps too).
    this.tail = position < bytes.length ? Buffer.from(bytes.subarray(position)) : Buffer.alloc(0);
    this.sink.release?.();
  }

  /** Where the text starts, past a byte-order mark; NOT_YET until its length in bytes (or the end) has come. */
  private startOfText(bytes: Buffer, final: boolean): number {
    if (bytes.length < UTF8_BOM.length && !final) return NOT_YET;
    this.atFileStart = false;
    const bom = bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
    return bom ? UTF8_BOM.length : 0;
  }

  /** Drops the rest of an over-long line; returns where framing resumes. */
  private skipRestOfLine(bytes: Buffer, position: number): number {
    const newline = bytes.indexOf(LF, position);
    if (newline === -1) return bytes.length;
    this.skippingLine = false;
    this.line += 1;
    return newline + 1;
  }

  /** Hands the record starting at `start` to the sink, unless it is blank; returns where the next one starts. */
  private frameRecord(bytes: Buffer, start: number, scan: RecordScan): number {
    let end = scan.end;
    if (end > start && bytes[end - 1] === CR) end -= 1;
    const startLine = this.line;
    const endLine = startLine + scan.lines;
    this.line = endLine + (scan.next > scan.end ? 1 : 0);
    if (!isBlank(bytes, start, end)) this.sink.frame(bytes, start, end, startLine, endLine);
    return scan.next;
  }

  /** Whether the multi-line record of `scan`, starting at `start`, parses into the header's columns. */
  private parses(bytes: Buffer, start: number, scan: RecordScan): boolean {
    let end = scan.end;
    if (end > start && bytes[end - 1] === CR) end -= 1;
    return parsesIntoFields(bytes, start, end, this.width);
  }

  /** Rejects the first physical line of the record starting at `start` (whole in `bytes`); returns where framing resumes. */
  private rejectFirstLine(bytes: Buffer, start: number, reason: string): number {
    const newline = bytes.indexOf(LF, start);
    let end = newline === -1 ? bytes.length : newline;
    if (end > start && bytes[end - 1] === CR) end -= 1;
    const shown = bytes.toString('utf8', start, Math.min(end, start + RAW_PREVIEW_CHARS * 4));
    this.sink.reject({ line: this.line, endLine: this.line, reason, raw: preview(shown) });
    this.line += 1;
    return newline === -1 ? bytes.length : newline + 1;
  }

  /** Rejects the record starting at `start` that ran away; returns where framing resumes. */
  private rejectRunaway(bytes: Buffer, start: number, scan: RunawayScan): number {
    const newline = bytes.indexOf(LF, start);
    const firstLineEnd = newline === -1 ? bytes.length : newline;
    const startLine = this.line;
    // The preview never reaches past the byte limit: that much is buffered however the upload is cut.
    // Up to four bytes a character, so that multi-byte text still shows RAW_PREVIEW_CHARS of it.
    const cut = Math.min(firstLineEnd, start + Math.min(this.maxRecordBytes, RAW_PREVIEW_CHARS * 4));
    const read = bytes.toString('utf8', start, cut).replace(/\r$/, '');
    const shown = cut < firstLineEnd && read.length <= RAW_PREVIEW_CHARS ? `${read}…` : preview(read);
    const reason = scan.atEnd
      ? 'unterminated quote: the file ends inside a quoted field opened on this line'
      : scan.inQuotes
        ? `unterminated quote: the quoted field opened on this line does not close within ${this.maxRecordBytes} bytes`
        : `record is longer than ${this.maxRecordBytes} bytes`;
    this.sink.reject({ line: startLine, endLine: startLine, reason, raw: shown });
    if (newline === -1) {
      this.skippingLine = !scan.atEnd;
      return bytes.length;
    }
    this.line += 1;
    return newline + 1;
  }
}

/**
 * Scans one record that holds no quote before its line feed `newline` (-1: none in the buffer yet):
 * the record is this one physical line.
 */
function scanUnquoted(bytes: Buffer, start: number, newline: number, final: boolean, limit: number): Scan {
  const end = newline === -1 ? bytes.length : newline;
  if (end - start > limit) return { kind: 'runaway', inQuotes: false, atEnd: false };
  if (newline !== -1) return { kind: 'record', end: newline, next: newline + 1, lines: 0 };
  return final ? { kind: 'record', end, next: end, lines: 0 } : { kind: 'incomplete' };
}

/**
 * Scans one record that contains a quote, from its first quote `firstQuote` (the bytes before it
 * hold no quote and no line feed), for at most `limit` bytes from `start`. `newline` is the first
 * line feed at or after `start` (-1: none in the buffer).
 */
function scanQuoted(
  bytes: Buffer,
  start: number,
  firstQuote: number,
  newline: number,
  final: boolean,
  limit: number,
): Scan {
  if (firstQuote - start > limit) return { kind: 'runaway', inQuotes: false, atEnd: false };
  const stopAt = start + limit;
  // Whether the quote opens a field: only at the record's start or right after a comma.
  let fieldStart = firstQuote === start || bytes[firstQuote - 1] === COMMA;
  for (let index = firstQuote; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (byte === LF)
      return { kind: 'record', end: index, next: index + 1, lines: lineFeeds(bytes, newline, index) };
    if (index >= stopAt) return { kind: 'runaway', inQuotes: false, atEnd: false };
    if (byte === QUOTE && fieldStart) {
      index = closingQuote(bytes, index + 1, stopAt, final);
      if (index < 0) return quotedScanEnd(index);
    }
    fieldStart = byte === COMMA;
  }
  if (!final) return { kind: 'incomplete' };
  return {
    kind: 'record',
    end: bytes.length,
    next: bytes.length,
    lines: lineFeeds(bytes, newline, bytes.length),
  };
}

/**
 * Whether the record `bytes[start, end)` parses into `width` fields (any number when undefined):
 * no quote stands inside an unquoted field, every quoted field's closing quote is followed by a
 * comma or the end, and fields past `width` are empty (trailing commas). The record is whole, so every quote that opens a field closes in it or
 * the record is broken. Used on records that span lines only: they are rare, so a second pass is cheap.
 */
export function parsesIntoFields(
  bytes: Buffer,
  start: number,
  end: number,
  width: number | undefined,
): boolean {
  let fields = 1;
  let lastFilled = -1;
  let index = start;
  while (index < end) {
    const byte = bytes[index];
    if (byte === COMMA) {
      fields += 1;
      index += 1;
      continue;
    }
    if (byte !== QUOTE) {
      lastFilled = fields - 1;
      index += 1;
      continue;
    }
    // A quote inside an unquoted field does not parse (RFC 4180, as csv-parse judges it).
    if (index !== start && bytes[index - 1] !== COMMA) return false;
    const close = closingQuote(bytes, index + 1, end, true);
    if (close < 0 || close >= end) return false;
    if (close > index + 1) lastFilled = fields - 1; // `""` is an empty field
    index = close + 1;
    if (index < end && bytes[index] !== COMMA) return false;
  }
  if (width === undefined) return true;
  return fields >= width && lastFilled < width;
}

/** What closingQuote returns when the quoted field does not close in the buffer. */
const QUOTE_OPEN_AT_LIMIT = -1;
const QUOTE_OPEN_NEEDS_MORE = -2;
const QUOTE_OPEN_AT_FILE_END = -3;

/**
 * Finds the quote that closes the quoted field whose content starts at `from` (`""` inside is a
 * literal quote), looking no further than `stopAt`; or says why it is not there.
 */
function closingQuote(bytes: Buffer, from: number, stopAt: number, final: boolean): number {
  for (let index = from; index < bytes.length; index += 1) {
    if (index >= stopAt) return QUOTE_OPEN_AT_LIMIT;
    if (bytes[index] !== QUOTE) continue;
    // Whether this quote is doubled depends on the next byte.
    if (index + 1 === bytes.length && !final) return QUOTE_OPEN_NEEDS_MORE;
    if (bytes[index + 1] !== QUOTE) return index;
    index += 1;
  }
  return final ? QUOTE_OPEN_AT_FILE_END : QUOTE_OPEN_NEEDS_MORE;
}

/** The record's scan when a quoted field in it does not close: `open` is closingQuote's reason. */
function quotedScanEnd(open: number): Scan {
  if (open === QUOTE_OPEN_NEEDS_MORE) return { kind: 'incomplete' };
  return { kind: 'runaway', inQuotes: true, atEnd: open === QUOTE_OPEN_AT_FILE_END };
}

/**
 * Physical line breaks inside the record ending at `end`: every line feed from the first one,
 * `newline`, up to `end` lies inside a quoted field. Most records have none, and cost one comparison.
 */
function lineFeeds(bytes: Buffer, newline: number, end: number): number {
  if (newline === -1 || newline >= end) return 0;
  let count = 0;
  for (let index = newline; index < end; index += 1) if (bytes[index] === LF) count += 1;
  return count;
}

/** Whether bytes [start, end) are a blank line: spaces, tabs and CRs only (the reader skips it). */
export function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index];
    if (byte !== SPACE && byte !== TAB && byte !== CR) return false;
  }
  return true;
}
