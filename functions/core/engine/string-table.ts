/**
 * An exact string → integer hash table whose keys live in one growing byte arena. A batch of millions
 * of lines needs one entry per claim line (duplicate detection) and per claim and member (counts);
 * as JS Map entries those cost ~70 bytes each, here ~20, which keeps a 4M-line batch within budget.
 */
const EMPTY = -1;

export class StringTable {
  private slots: Int32Array;
  private hashes: Int32Array;
  private offsets: Int32Array;
  private lengths: Int32Array;
  private values: Int32Array;
  private arena: Buffer;
  private arenaUsed = 0;
  private scratch = Buffer.alloc(256);
  private count = 0;

  constructor(initialCapacity = 1024) {
    const capacity = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.slots = new Int32Array(capacity * 2).fill(EMPTY);
    this.hashes = new Int32Array(capacity);
    this.offsets = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.arena = Buffer.alloc(capacity * 16);
  }

  get size(): number {
    return this.count;
  }

  /** The entry of `key`: its id (0, 1, 2 … in insertion order) and whether it was just added with `value`. */
  upsert(key: string, value: number): { id: number; added: boolean } {
    const length = this.encode(key);
    const hash = fnv1a(this.scratch, length);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]!;
      if (id === EMPTY) {
        this.insert(slot, hash, length, value);
        return { id: this.count - 1, added: true };
      }
      if (this.hashes[id] === hash && this.lengths[id] === length && this.sameBytes(id, length)) {
        return { id, added: false };
      }
    }
  }

  /** The key of entry `id`. */
  keyOf(id: number): string {
    const offset = this.offsets[id]!;
    return this.arena.toString('utf8', offset, offset + this.lengths[id]!);
  }

  value(id: number): number {
    return this.values[id]!;
  }

  setValue(id: number, value: number): void {
    this.values[id] = value;
  }

  private encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.alloc(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  private sameBytes(id: number, length: number): boolean {
    const offset = this.offsets[id]!;
    return this.arena.compare(this.scratch, 0, length, offset, offset + length) === 0;
  }

  private insert(slot: number, hash: number, length: number, value: number): void {
    const id = this.count;
    if (id >= this.values.length) this.growEntries();
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = Buffer.alloc(Math.max(this.arena.length * 2, this.arenaUsed + length));
      this.arena.copy(bigger, 0, 0, this.arenaUsed);
      this.arena = bigger;
    }
    this.scratch.copy(this.arena, this.arenaUsed, 0, length);
    this.hashes[id] = hash;
    this.offsets[id] = this.arenaUsed;
    this.lengths[id] = length;
    this.values[id] = value;
    this.arenaUsed += length;
    this.slots[slot] = id;
    this.count += 1;
    // Keep the slot table at most half full so probes stay short.
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private growEntries(): void {
    const grow = (old: Int32Array) => {
      const bigger = new Int32Array(old.length * 2);
      bigger.set(old);
      return bigger;
    };
    this.hashes = grow(this.hashes);
    this.offsets = grow(this.offsets);
    this.lengths = grow(this.lengths);
    this.values = grow(this.values);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id += 1) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }
}

function fnv1a(bytes: Buffer, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < length; index += 1) {
    hash ^= bytes[index]!;
    hash = Math.imul(hash, 0x01000193);
  }
  // Final avalanche so that linear probing sees well-spread low bits.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash | 0;
}
