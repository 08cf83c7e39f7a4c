/**
 * The byte format of a partial result, for storage between Lambdas: one JSON line with the small
 * parts (the caller's header fields) and the sizes of the rest, then the line numbers, plain
 * line_no values, rule book ids, cell ends and facts as little-endian int32, then the key bytes. The big arrays
 * are copied, never printed as JSON numbers, which is what made a chunk's partial slow to store and
 * to merge. The codec knows the layout, not what the header fields mean: the caller's schema does.
 */
import { z } from 'zod';
import { ScrubError } from '../errors.js';
import type { PackedKeys } from './packed-keys.js';

/** The arrays of a partial, by line. */
export interface PartBody {
  readonly lines: number[];
  readonly keys: PackedKeys;
  readonly plainLineNos: Int32Array;
  /** The id of the rule book that judges each line. */
  readonly books: Int32Array;
  readonly facts: Int32Array;
}

const COUNT = z.number().int().nonnegative();
const SIZES = z.object({ lines: COUNT, ends: COUNT, facts: COUNT, bytes: COUNT });

/** A part that is not what encodePart writes: its field (when known) is named, its data never shown. */
const badPart = (detail: string): ScrubError => new ScrubError('BAD_PART', `partial ${detail}`);

/** `head` (a plain JSON object) then the body. */
export function encodePart(head: object, body: PartBody): Buffer {
  const { keys, facts, lines, plainLineNos, books } = body;
  const sizes = {
    lines: lines.length,
    ends: keys.ends.length,
    facts: facts.length,
    bytes: keys.bytes.length,
  };
  const header = Buffer.from(`${JSON.stringify({ ...head, sizes })}\n`, 'utf8');
  // Line numbers, plain line_no values and book ids: three arrays of the same length.
  const numbers = new Int32Array(sizes.lines * 3 + sizes.ends + sizes.facts);
  numbers.set(lines);
  numbers.set(plainLineNos, sizes.lines);
  numbers.set(books, sizes.lines * 2);
  numbers.set(keys.ends, sizes.lines * 3);
  numbers.set(facts, sizes.lines * 3 + sizes.ends);
  return Buffer.concat([header, littleEndian(new Uint8Array(numbers.buffer)), keys.bytes]);
}

/** Typed arrays use the machine's byte order; files are little-endian (as x86 and arm64 Lambdas are). */
const MACHINE_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const littleEndian = (int32Bytes: Uint8Array): Uint8Array => {
  if (!MACHINE_IS_LITTLE_ENDIAN)
    Buffer.from(int32Bytes.buffer, int32Bytes.byteOffset, int32Bytes.byteLength).swap32();
  return int32Bytes;
};

/** Reads what encodePart wrote, its header checked by `headSchema`; throws a BAD_PART ScrubError on anything else. */
export function decodePart<Head>(
  bytes: Uint8Array,
  headSchema: z.ZodType<Head>,
): { readonly head: Head; readonly body: PartBody } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buffer.indexOf(0x0a);
  if (newline < 0) throw badPart('has no header line');
  const header = parseJson(buffer.toString('utf8', 0, newline));
  const sizes = checked(SIZES, isObject(header) ? header.sizes : undefined, 'sizes');
  const head = checked(headSchema, header, '');
  let at = newline + 1;
  const int32s = (count: number): Int32Array => {
    if (at + count * 4 > buffer.length) throw badPart('is cut short');
    // A copy: the file's bytes need not sit at a 4-byte boundary.
    const copy = new Uint8Array(count * 4);
    copy.set(buffer.subarray(at, at + count * 4));
    at += count * 4;
    return new Int32Array(littleEndian(copy).buffer);
  };
  const lines = Array.from(int32s(sizes.lines));
  const plainLineNos = int32s(sizes.lines);
  const books = int32s(sizes.lines);
  const ends = int32s(sizes.ends);
  const facts = int32s(sizes.facts);
  if (buffer.length - at !== sizes.bytes) throw badPart('has the wrong length');
  const keyBytes = new Uint8Array(sizes.bytes);
  keyBytes.set(buffer.subarray(at));
  return { head, body: { lines, keys: { bytes: keyBytes, ends }, plainLineNos, books, facts } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badPart('header is not JSON');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** `value` as `schema` reads it; else a BAD_PART error naming the first field that is wrong. */
function checked<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter((part) => part !== '').join('.');
  throw badPart(
    `header field ${path === '' ? '(the header)' : path} is invalid (${issue?.code ?? 'unknown'})`,
  );
}
