/**
 * Record framing: finds where each CSV record starts and ends in a byte stream, with its physical
 * line numbers, before any field is parsed. Framing first is what lets a batch be cut into chunks
 * at record boundaries (for workers and Lambdas), and what lets parsing resume after a broken
 * record: an unterminated quote or an over-long record costs that record, never the rest of the file.
 *
 * Quoting follows RFC 4180: a quote opens a quoted field only at the start of a field; inside, `""`
 * is a literal quote. A quote anywhere else is left for the field parser to judge.
 */

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
}

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;
const RAW_PREVIEW_CHARS = 500;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;

type Scan =
  | { readonly kind: 'record'; readonly end: number; readonly next: number; readonly lines: number }
  | { readonly kind: 'incomplete' }
  /** The record reached the byte limit without ending; `inQuotes` is the state at the limit. */
  | { readonly kind: 'runaway'; readonly inQuotes: boolean; readonly atEnd: boolean };

export const preview = (text: string): string =>
  text.length > RAW_PREVIEW_CHARS ? `${text.slice(0, RAW_PREVIEW_CHARS)}…` : text;

export class RecordFramer {
  private tail: Buffer = Buffer.alloc(0);
  private line = 1;
  private atFileStart = true;
  /** After an over-long line: drop bytes up to the next line feed. */
  private skippingLine = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {}

  /** The physical line the next record would start on. */
  get currentLine(): number {
    return this.line;
  }

  push(chunk: Buffer): void {
    this.process(this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk, false);
  }

  end(): void {
    this.process(this.tail, true);
    this.tail = Buffer.alloc(0);
  }

  private process(bytes: Buffer, final: boolean): void {
    let position = 0;
    if (this.atFileStart) {
      if (bytes.length < 3 && !final) {
        this.tail = bytes;
        return;
      }
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) position = 3;
      this.atFileStart = false;
    }
    let nextQuote = -2; // cached position of the next quote at or after `position`; -2 = unknown

    while (position < bytes.length) {
      if (this.skippingLine) {
        const newline = bytes.indexOf(LF, position);
        if (newline === -1) {
          position = bytes.length;
          break;
        }
        this.skippingLine = false;
        this.line += 1;
        position = newline + 1;
        continue;
      }

      const newline = bytes.indexOf(LF, position);
      if (nextQuote !== -1 && nextQuote < position) nextQuote = bytes.indexOf(QUOTE, position);
      const limit = this.maxRecordBytes;
      let scan: Scan;
      if (nextQuote === -1 || (newline !== -1 && nextQuote > newline)) {
        // Fast path: no quote before the line feed, so the record is this one physical line.
        const end = newline === -1 ? bytes.length : newline;
        if (end - position > limit) scan = { kind: 'runaway', inQuotes: false, atEnd: false };
        else if (newline !== -1) scan = { kind: 'record', end: newline, next: newline + 1, lines: 0 };
        else scan = final ? { kind: 'record', end, next: end, lines: 0 } : { kind: 'incomplete' };
      } else {
        scan = scanQuoted(bytes, position, nextQuote, final, limit);
      }

      if (scan.kind === 'incomplete') break;
      if (scan.kind === 'runaway') {
        // Decided at the byte limit, whatever the buffer holds, so every way of cutting the upload
        // gives the same result: reject the record's first line and resume on the next one.
        position = this.rejectRunaway(bytes, position, scan);
        nextQuote = -2;
        continue;
      }

      let end = scan.end;
      if (end > position && bytes[end - 1] === CR) end -= 1;
      const startLine = this.line;
      const endLine = startLine + scan.lines;
      this.line = endLine + (scan.next > scan.end ? 1 : 0);
      if (!isBlank(bytes, position, end)) this.sink.frame(bytes, position, end, startLine, endLine);
      position = scan.next;
    }
    this.tail = position < bytes.length ? bytes.subarray(position) : Buffer.alloc(0);
  }

  /** Rejects the record starting at `start` that ran away; returns where framing resumes. */
  private rejectRunaway(bytes: Buffer, start: number, scan: { inQuotes: boolean; atEnd: boolean }): number {
    const newline = bytes.indexOf(LF, start);
    const firstLineEnd = newline === -1 ? bytes.length : newline;
    const startLine = this.line;
    // The preview never reaches past the byte limit: that much is buffered however the upload is cut.
    const shown = bytes.toString(
      'utf8',
      start,
      Math.min(firstLineEnd, start + Math.min(this.maxRecordBytes, RAW_PREVIEW_CHARS)),
    );
    const reason = scan.atEnd
      ? 'unterminated quote: the file ends inside a quoted field opened on this line'
      : scan.inQuotes
        ? `unterminated quote: the quoted field opened on this line does not close within ${this.maxRecordBytes} bytes`
        : `record is longer than ${this.maxRecordBytes} bytes`;
    this.sink.reject({ line: startLine, endLine: startLine, reason, raw: preview(shown.replace(/\r$/, '')) });
    if (newline === -1) {
      this.skippingLine = !scan.atEnd;
      return bytes.length;
    }
    this.line += 1;
    return newline + 1;
  }
}

/**
 * Scans one record that contains a quote, from its first quote `firstQuote` (the bytes before it
 * hold no quote and no line feed), for at most `limit` bytes from `start`.
 */
function scanQuoted(bytes: Buffer, start: number, firstQuote: number, final: boolean, limit: number): Scan {
  if (firstQuote - start > limit) return { kind: 'runaway', inQuotes: false, atEnd: false };
  let inQuotes = false;
  // Whether the quote opens a field: only at the record's start or right after a comma.
  let fieldStart = firstQuote === start || bytes[firstQuote - 1] === COMMA;
  let lines = 0;
  for (let index = firstQuote; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (!inQuotes && byte === LF) return { kind: 'record', end: index, next: index + 1, lines };
    if (index - start >= limit) return { kind: 'runaway', inQuotes, atEnd: false };
    if (inQuotes) {
      if (byte === QUOTE) {
        if (index + 1 === bytes.length && !final) return { kind: 'incomplete' };
        if (bytes[index + 1] === QUOTE) index += 1;
        else inQuotes = false;
      } else if (byte === LF) {
        lines += 1;
      }
      continue;
    }
    if (byte === COMMA) {
      fieldStart = true;
      continue;
    }
    if (byte === QUOTE && fieldStart) inQuotes = true;
    fieldStart = false;
  }
  if (!final) return { kind: 'incomplete' };
  return inQuotes
    ? { kind: 'runaway', inQuotes, atEnd: true }
    : { kind: 'record', end: bytes.length, next: bytes.length, lines };
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index];
    if (byte !== SPACE && byte !== TAB && byte !== CR) return false;
  }
  return true;
}
