import { describe, expect, it } from 'vitest';
import { type ComposePiece, type PlannedPart, planParts } from '../../functions/adapters/part-plan.js';
import { seeded } from '../support/random.js';

const LIMITS = { minPart: 10, maxCopy: 25 };

/** The bytes a plan writes, read back from `objects` (the oracle: plain concatenation). */
function written(parts: readonly PlannedPart[], objects: ReadonlyMap<string, Uint8Array>): number[] {
  const out: number[] = [];
  const range = (key: string, start: number, end: number) =>
    out.push(...objects.get(key)!.subarray(start, end));
  for (const part of parts) {
    if ('copy' in part) range(part.copy.key, part.copy.start, part.copy.end);
    else
      for (const item of part.gather)
        if (item instanceof Uint8Array) out.push(...item);
        else range(item.key, item.start, item.end);
  }
  return out;
}

const sizeOf = (part: PlannedPart): number => ('copy' in part ? part.copy.end - part.copy.start : part.bytes);

describe('planParts', () => {
  it('copies a big object whole and gathers the small pieces around it into its neighbours', () => {
    const parts = planParts(
      [{ bytes: new Uint8Array(3) }, { bucket: 'w', key: 'a', size: 40 }, { bytes: new Uint8Array(2) }],
      LIMITS,
    );
    expect(
      parts.map((part) =>
        'copy' in part ? `copy ${part.copy.start}-${part.copy.end}` : `gather ${part.bytes}`,
      ),
    ).toEqual([
      'gather 10', // the 3 bytes and the object's first 7
      'copy 7-32', // at most maxCopy
      'gather 10', // the object's last 8 and the 2 bytes
    ]);
  });

  it('writes nothing for no bytes, and one short part for a few', () => {
    expect(planParts([{ bytes: new Uint8Array(0) }, { bucket: 'w', key: 'e', size: 0 }], LIMITS)).toEqual([]);
    const parts = planParts([{ bytes: new Uint8Array(4) }, { bucket: 'w', key: 'a', size: 3 }], LIMITS);
    expect(parts).toHaveLength(1);
    expect(sizeOf(parts[0]!)).toBe(7);
  });

  it('writes every piece in order, every part but the last at least minPart, copies at most maxCopy', () => {
    const random = seeded(62323);
    for (let round = 0; round < 2000; round += 1) {
      const objects = new Map<string, Uint8Array>();
      const pieces: ComposePiece[] = [];
      const expected: number[] = [];
      for (let at = random.int(8); at >= 0; at -= 1) {
        const bytes = Uint8Array.from({ length: random.chance(0.3) ? random.int(60) : random.int(6) }, () =>
          random.int(256),
        );
        expected.push(...bytes);
        if (random.chance(0.5)) pieces.push({ bytes });
        else {
          const key = `k${objects.size}`;
          objects.set(key, bytes);
          pieces.push({ bucket: 'w', key, size: bytes.byteLength });
        }
      }
      const parts = planParts(pieces, LIMITS);
      expect(written(parts, objects)).toEqual(expected);
      parts.forEach((part, index) => {
        if (index < parts.length - 1) expect(sizeOf(part)).toBeGreaterThanOrEqual(LIMITS.minPart);
        expect(sizeOf(part)).toBeGreaterThan(0);
        if ('copy' in part) expect(sizeOf(part)).toBeLessThanOrEqual(LIMITS.maxCopy);
        // A gathered part never holds more than one part's worth and the piece that filled it.
        else expect(part.bytes).toBeLessThan(LIMITS.minPart + 60);
      });
    }
  });
});
