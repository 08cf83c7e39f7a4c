/**
 * The text encoding of a batch, and its re-encoding to UTF-8 as it streams, so that the framer,
 * the chunks and every worker only ever see UTF-8. Spreadsheets on Windows write UTF-16 with a
 * byte-order mark ("Unicode text") or Windows-1252 ("ANSI"); a file is read as Windows-1252 only
 * when its first bytes are not valid UTF-8, so one bad byte later in a UTF-8 file costs its record
 * alone.
 */
import { isUtf8 } from 'node:buffer';

export type SourceEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export const SOURCE_ENCODINGS = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'windows-1252',
] as const satisfies readonly SourceEncoding[];

/** How much of the file's start decides between UTF-8 and Windows-1252. */
export const DETECT_BYTES = 64 * 1024;

/**
 * What Windows-1252 puts at 0x80–0x9F (the rest of it is Latin-1). The five bytes it leaves
 * undefined map to the control characters of the same number, as browsers decode them.
 */
const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1 = /[\u0080-\u009f]/g;

/** The encoding a file starting with `head` is read in; `whole` when `head` is the entire file. */
export function detectEncoding(head: Buffer, whole: boolean): SourceEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  const window = head.subarray(0, DETECT_BYTES);
  const complete = whole && window.length === head.length;
  // Not valid UTF-8 means some byte is 0x80–0xFF: what an "ANSI" export holds.
  return isUtf8(complete ? window : withoutCutCharacter(window)) ? 'utf-8' : 'windows-1252';
}

/** `bytes` without a last UTF-8 character that the window may have cut short. */
function withoutCutCharacter(bytes: Buffer): Buffer {
  for (let index = bytes.length - 1; index >= Math.max(0, bytes.length - 4); index -= 1) {
    const byte = bytes[index]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    return byte >= 0xc0 ? bytes.subarray(0, index) : bytes;
  }
  return bytes;
}

/** Re-encodes pieces of text in `encoding` to UTF-8, carrying characters cut between pieces. */
export interface ToUtf8 {
  push(piece: Buffer): Buffer;
  end(): Buffer;
}

export function toUtf8(encoding: Exclude<SourceEncoding, 'utf-8'>): ToUtf8 {
  if (encoding === 'windows-1252') {
    // One byte per character: nothing to carry between pieces.
    return {
      push: (piece) => {
        const text = piece.toString('latin1');
        return Buffer.from(
          text.replace(C1, (char) => CP1252_80_9F[char.charCodeAt(0) - 0x80]!),
          'utf8',
        );
      },
      end: () => Buffer.alloc(0),
    };
  }
  // The byte-order mark is dropped by the decoder; a cut surrogate pair or byte waits for the next piece.
  const decoder = new TextDecoder(encoding);
  return {
    push: (piece) => Buffer.from(decoder.decode(piece, { stream: true }), 'utf8'),
    end: () => Buffer.from(decoder.decode(), 'utf8'),
  };
}

/**
 * The text of a byte stream as UTF-8 pieces: the encoding is decided on the first DETECT_BYTES,
 * then every piece is re-encoded as it passes. UTF-8 passes through untouched.
 */
export class Utf8Text implements AsyncIterable<Buffer> {
  encoding: SourceEncoding = 'utf-8';
  /** Bytes taken from the source so far, before re-encoding. */
  bytesIn = 0;

  constructor(private readonly source: AsyncIterable<Buffer>) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const pieces = this.source[Symbol.asyncIterator]();
    try {
      const head: Buffer[] = [];
      let headBytes = 0;
      let ended = false;
      while (headBytes < DETECT_BYTES && !ended) {
        const next = await pieces.next();
        if (next.done) ended = true;
        else {
          head.push(next.value);
          headBytes += next.value.length;
        }
      }
      this.bytesIn = headBytes;
      if (headBytes === 0) return;
      const first = head.length === 1 ? head[0]! : Buffer.concat(head);
      this.encoding = detectEncoding(first, ended);
      const convert = this.encoding === 'utf-8' ? undefined : toUtf8(this.encoding);
      yield convert ? convert.push(first) : first;
      for (
        let next = ended ? undefined : await pieces.next();
        next && !next.done;
        next = await pieces.next()
      ) {
        this.bytesIn += next.value.length;
        yield convert ? convert.push(next.value) : next.value;
      }
      const rest = convert?.end();
      if (rest && rest.length > 0) yield rest;
    } finally {
      // Stopping early (a rejected batch) must stop the source too (a gunzip, say).
      await pieces.return?.();
    }
  }
}
