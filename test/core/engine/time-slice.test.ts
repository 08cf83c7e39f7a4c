import { describe, expect, it } from 'vitest';
import { breathe } from '../../../functions/core/engine/time-slice.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('breathe', () => {
  it('asks for no await within a slice, and gives the event loop a turn once the slice is used up', async () => {
    // A fresh slice: use up the current one and take the turn.
    busy(60);
    await breathe();
    expect(breathe(), 'just after a turn').toBeUndefined();
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    busy(60);
    const pause = breathe();
    expect(pause).toBeInstanceOf(Promise);
    expect(ran, 'not before the await').toBe(false);
    await pause;
    expect(ran, 'what was waiting on the event loop ran').toBe(true);
    expect(breathe()).toBeUndefined();
  });

  it('lets a long loop that breathes see a timer fire about on time', async () => {
    let firedAt = 0;
    const started = performance.now();
    setTimeout(() => {
      firedAt = performance.now() - started;
    }, 20);
    while (firedAt === 0 && performance.now() - started < 2_000) {
      busy(1);
      const pause = breathe();
      if (pause) await pause;
    }
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(500);
  });
});
