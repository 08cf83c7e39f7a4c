/**
 * Exact, compact tables for the merge state of big batches. A JS Map entry costs ~70 bytes; a batch
 * of millions of lines needs one entry per claim, member and claim line, so these keep keys in one
 * byte arena and numbers in typed arrays (~30 bytes an entry), which keeps a 4M-line batch in budget.
 */
const EMPTY = -1;
/** Columns grow by half again, not double: less memory idle at the end of a batch. */
const grow = (length: number, needed: number): number => Math.max(needed, Math.ceil(length * 1.5));

function growInt32(old: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= old.length) return old;
  const bigger = new Int32Array(grow(old.length, needed));
  bigger.set(old);
  return bigger;
}

/** Interns strings: each distinct key gets an id 0, 1, 2 … in insertion order. */
export class StringTable {
  /** Pairs (id, hash): a probe reads one cache line, not the entry arrays, until the hash matches. */
  private slots = new Int32Array(4096).fill(EMPTY);
  /** Entry i spans arena bytes [starts[i], starts[i + 1]). */
  private starts = new Int32Array(1025);
  private arena = Buffer.alloc(16 * 1024);
  private scratch = Buffer.alloc(256);
  private count = 0;

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
    const hash = hashBytes(bytes, start, end);
    const { slots } = this;
    const mask = (slots.length >> 1) - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = slots[slot * 2]!;
      if (id === EMPTY) return this.add(slot, hash, bytes, start, end);
      if (slots[slot * 2 + 1] === hash && this.matches(id, bytes, start, end)) return id;
    }
  }

  keyOf(id: number): string {
    return this.arena.toString('utf8', this.starts[id]!, this.starts[id + 1]!);
  }

  private matches(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.starts[id]!;
    if (this.starts[id + 1]! - from !== end - start) return false;
    // A JS loop beats Buffer.compare's native call for keys this short.
    const { arena } = this;
    for (let index = start; index < end; index += 1)
      if (arena[from + index - start] !== bytes[index]) return false;
    return true;
  }

  private add(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const id = this.count;
    const from = this.starts[id]!;
    const length = end - start;
    this.starts = growInt32(this.starts, id + 2);
    if (from + length > this.arena.length) {
      const bigger = Buffer.alloc(grow(this.arena.length, from + length));
      this.arena.copy(bigger, 0, 0, from);
      this.arena = bigger;
    }
    this.arena.set(bytes.subarray(start, end), from);
    this.starts[id + 1] = from + length;
    this.slots[slot * 2] = id;
    this.slots[slot * 2 + 1] = hash;
    this.count += 1;
    // At most three quarters full, so probe runs stay short.
    if (this.count * 8 > this.slots.length * 3) this.rehash();
    return id;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(EMPTY);
    const mask = (slots.length >> 1) - 1;
    for (let pair = 0; pair < old.length; pair += 2) {
      const id = old[pair]!;
      if (id === EMPTY) continue;
      const hash = old[pair + 1]!;
      let slot = hash & mask;
      while (slots[slot * 2] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot * 2] = id;
      slots[slot * 2 + 1] = hash;
    }
    this.slots = slots;
  }
}

/** Non-negative integer keys (below 2^52) → int32 values. */
export class NumberMap {
  private keys = new Float64Array(2048).fill(EMPTY);
  private values = new Int32Array(2048);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: number): number | undefined {
    const slot = this.find(this.keys, key);
    return this.keys[slot] === key ? this.values[slot] : undefined;
  }

  set(key: number, value: number): void {
    const slot = this.find(this.keys, key);
    if (this.keys[slot] !== key) {
      this.keys[slot] = key;
      this.count += 1;
    }
    this.values[slot] = value;
    if (this.count * 4 > this.keys.length * 3) this.rehash();
  }

  private find(keys: Float64Array, key: number): number {
    const mask = keys.length - 1;
    let slot = hashNumber(key) & mask;
    while (keys[slot] !== EMPTY && keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private rehash(): void {
    const keys = new Float64Array(this.keys.length * 2).fill(EMPTY);
    const values = new Int32Array(keys.length);
    for (let slot = 0; slot < this.keys.length; slot += 1) {
      const key = this.keys[slot]!;
      if (key === EMPTY) continue;
      const target = this.find(keys, key);
      keys[target] = key;
      values[target] = this.values[slot]!;
    }
    this.keys = keys;
    this.values = values;
  }
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index += 1) {
    hash ^= bytes[index]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return finalMix(hash);
}

function hashNumber(key: number): number {
  const low = key >>> 0;
  const high = Math.floor(key / 4294967296) >>> 0;
  return finalMix(Math.imul(low, 0x9e3779b1) ^ Math.imul(high ^ 0x85ebca6b, 0xc2b2ae35));
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
