/**
 * An exact, compact string table for the merge state of big batches. A JS Map entry costs ~70
 * bytes; a batch of millions of lines needs one entry per claim and member, so this keeps keys
 * back to back in a paged byte arena and the hash index in one typed array: about 12 bytes an entry
 * plus the key itself. Pages mean growing never copies the arena.
 */
import { Int32Pages } from './int-pages.js';

const PAGE_BITS = 18;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/**
 * A slot holds (id + 1) in its low bits and a few hash bits above them, so most probes reject a
 * key without reading the arena. 0 is an empty slot.
 */
const ID_BITS = 26;
const ID_MASK = (1 << ID_BITS) - 1;
const MAX_KEYS = ID_MASK - 1;
/** Rehash above this load: linear probing stays short. */
const MAX_LOAD = 0.7;

/** Interns strings: each distinct key gets an id 0, 1, 2 … in insertion order. */
export class StringTable {
  private slots: Uint32Array;
  /** Entry i spans arena positions [starts(i), starts(i + 1)); a key may cross into the next page. */
  private readonly starts = new Int32Pages();
  /**
   * Each entry's hash: growing the index places every key again, and reading 4 bytes a key beat
   * hashing it again from the arena (a fiftieth of a 1M-line batch's one-core time went to that).
   */
  private readonly hashes = new Int32Pages();
  private readonly pages: Buffer[] = [];
  private used = 0;
  private count = 0;
  private scratch = Buffer.alloc(256);
  /** The id last returned: lines of one claim (and often of one member) come one after another. */
  private last = -1;

  /** `expectedKeys`: how many keys are likely, so that the index need not grow on the way there. */
  constructor(expectedKeys = 0) {
    let slots = 1024;
    while (slots * MAX_LOAD < expectedKeys) slots *= 2;
    this.slots = new Uint32Array(slots);
  }

  get size(): number {
    return this.count;
  }

  /** The id of `key`, adding it if new. */
  intern(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.alloc(key.length * 3);
    const length = this.scratch.write(key, 0, 'utf8');
    return this.internBytes(this.scratch, 0, length);
  }

  /** The id of the UTF-8 key in bytes [start, end), adding it if new. */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    const { last } = this;
    if (last >= 0 && this.matches(last, bytes, start, end)) return last;
    const id = this.lookUp(bytes, start, end);
    this.last = id;
    return id;
  }

  private lookUp(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashBytes(bytes, start, end);
    const tag = tagOf(hash);
    const { slots } = this;
    const mask = slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const value = slots[slot]!;
      if (value === 0) return this.add(slot, hash, bytes, start, end);
      const id = (value & ID_MASK) - 1;
      if (value >>> ID_BITS === tag && this.matches(id, bytes, start, end)) return id;
    }
  }

  keyOf(id: number): string {
    const from = this.starts.get(id);
    const to = this.starts.get(id + 1);
    if (to === from) return '';
    const page = from >>> PAGE_BITS;
    if ((to - 1) >>> PAGE_BITS === page)
      return this.pages[page]!.toString('utf8', from & PAGE_MASK, (from & PAGE_MASK) + to - from);
    const bytes = Buffer.allocUnsafe(to - from);
    for (let at = from; at < to; at += 1) bytes[at - from] = this.byteAt(at);
    return bytes.toString('utf8');
  }

  private byteAt(position: number): number {
    return this.pages[position >>> PAGE_BITS]![position & PAGE_MASK]!;
  }

  private matches(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.starts.get(id);
    if (this.starts.get(id + 1) - from !== end - start) return false;
    if (end === start) return true;
    const page = this.pages[from >>> PAGE_BITS]!;
    const offset = (from & PAGE_MASK) - start;
    if (offset + end <= PAGE_SIZE) {
      // A JS loop beats Buffer.compare's native call for keys this short.
      for (let index = start; index < end; index += 1)
        if (page[offset + index] !== bytes[index]) return false;
      return true;
    }
    for (let index = start; index < end; index += 1)
      if (this.byteAt(from + index - start) !== bytes[index]) return false;
    return true;
  }

  private add(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const id = this.count;
    if (id >= MAX_KEYS) throw new Error(`more than ${MAX_KEYS} distinct keys`);
    for (let index = start; index < end; index += 1) {
      const page = this.used >>> PAGE_BITS;
      if (page === this.pages.length) this.pages.push(Buffer.allocUnsafe(PAGE_SIZE));
      this.pages[page]![this.used & PAGE_MASK] = bytes[index]!;
      this.used += 1;
    }
    this.starts.set(id + 1, this.used);
    this.hashes.set(id, hash);
    this.slots[slot] = ((tagOf(hash) << ID_BITS) | (id + 1)) >>> 0;
    this.count += 1;
    if (this.count > this.slots.length * MAX_LOAD) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id += 1) {
      const hash = this.hashes.get(id);
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = ((tagOf(hash) << ID_BITS) | (id + 1)) >>> 0;
    }
    this.slots = slots;
  }
}

const tagOf = (hash: number): number => hash >>> 26;

export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index += 1) {
    hash ^= bytes[index]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return finalMix(hash);
}

/** Avalanche so that linear probing sees well-spread low bits. */
function finalMix(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash | 0;
}
