import { afterEach, describe, expect, it, vi } from 'vitest';
import { guardStop } from '../../functions/cli/stop-guard.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('guardStop', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s runs the cleanups still registered, removes its handlers and raises the signal again',
    (signal) => {
      const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
      const before = process.listenerCount(signal);
      const guard = guardStop();
      expect(process.listenerCount(signal)).toBe(before + 1);
      const ran: string[] = [];
      guard.add(() => ran.push('spill'));
      const unregister = guard.add(() => ran.push('temporary folder'));
      guard.add(() => {
        throw new Error('a cleanup that fails does not stop the others');
      });
      guard.add(() => ran.push('last'));
      unregister();
      process.emit(signal, signal);
      expect(ran).toEqual(['spill', 'last']);
      expect(process.listenerCount(signal)).toBe(before);
      expect(kill).toHaveBeenCalledWith(process.pid, signal);
    },
  );

  it('once disposed, leaves signals alone', () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const guard = guardStop();
    guard.add(() => {
      throw new Error('never run');
    });
    guard.dispose();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
