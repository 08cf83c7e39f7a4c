/** Encodings: which one a file is read in, and its re-encoding to UTF-8 however the bytes arrive. */
import { describe, expect, it } from 'vitest';
import { DETECT_BYTES, detectEncoding, Utf8Text } from '../../../functions/core/intake/encoding.js';

async function* inPieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function readAll(
  bytes: Buffer,
  size: number,
): Promise<{ text: string; encoding: string; bytesIn: number }> {
  const reader = new Utf8Text(inPieces(bytes, size));
  const out: Buffer[] = [];
  for await (const piece of reader) out.push(piece);
  return { text: Buffer.concat(out).toString('utf8'), encoding: reader.encoding, bytesIn: reader.bytesIn };
}

const TEXT = 'claim_id,payer\nC\u00c91,\u201cAcme\u201d \u20ac \u{1F600}\nC2,Caf\u00e9 \u0160\u017e\u0178\n';
const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]);
const utf16be = Buffer.from(utf16le).swap16();
/** TEXT in Windows-1252, by hand: the characters above that are not Latin-1 sit at 0x80–0x9F. */
const CP1252: Record<string, number> = {
  '\u20ac': 0x80,
  '\u201c': 0x93,
  '\u201d': 0x94,
  '\u0160': 0x8a,
  '\u017e': 0x9e,
  '\u0178': 0x9f,
};
const ansiText = TEXT.replace(' \u{1F600}', '');
const ansi = Buffer.from([...ansiText].map((char) => CP1252[char] ?? char.charCodeAt(0)));

describe('detectEncoding', () => {
  it('reads a byte-order mark, else UTF-8 when the first 64 KiB are valid UTF-8, else Windows-1252', () => {
    expect(detectEncoding(utf16le, true)).toBe('utf-16le');
    expect(detectEncoding(utf16be, true)).toBe('utf-16be');
    expect(detectEncoding(Buffer.from(`\ufeff${TEXT}`), true)).toBe('utf-8');
    expect(detectEncoding(Buffer.from(TEXT), true)).toBe('utf-8');
    expect(detectEncoding(ansi, true)).toBe('windows-1252');
  });

  it('does not hold a character cut by the 64 KiB window against the file', () => {
    const head = Buffer.concat([Buffer.alloc(DETECT_BYTES - 1, 0x61), Buffer.from('\u00e9\u00e9')]);
    expect(detectEncoding(head, false)).toBe('utf-8');
    const late = Buffer.concat([Buffer.alloc(DETECT_BYTES, 0x61), Buffer.from([0xff])]);
    expect(detectEncoding(late, true)).toBe('utf-8');
  });
});

describe('Utf8Text', () => {
  it.each([
    ['utf-16le', utf16le, TEXT],
    ['utf-16be', utf16be, TEXT],
    ['windows-1252', ansi, ansiText],
    ['utf-8', Buffer.from(TEXT), TEXT],
  ])('re-encodes %s to the same UTF-8 text in pieces of any size', async (encoding, bytes, expected) => {
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const read = await readAll(bytes, size);
      expect(read.encoding).toBe(encoding);
      expect(read.text, `${size}-byte pieces`).toBe(expected);
      expect(read.bytesIn).toBe(bytes.length);
    }
  });

  it('maps every Windows-1252 byte as browsers do (undefined ones to the same control character)', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
    const { text } = await readAll(Buffer.concat([Buffer.from([0xe9]), all]), 50);
    expect(text.codePointAt(1 + 0x80)).toBe(0x20ac);
    expect(text.codePointAt(1 + 0x81)).toBe(0x81);
    expect(text.codePointAt(1 + 0x9f)).toBe(0x178);
    expect(text.codePointAt(1 + 0xff)).toBe(0xff);
    expect(text).toHaveLength(257);
  });

  it('leaves an empty source empty', async () => {
    expect(await readAll(Buffer.alloc(0), 1)).toEqual({ text: '', encoding: 'utf-8', bytesIn: 0 });
  });
});
