/**
 * Ctrl-C or SIGTERM while a run holds claim data on disk (spill files, a report folder being
 * written): the handler removes it synchronously, then raises the signal again with its default
 * action, so the process stops as the signal says (a shell sees 128 + the signal's number) and its
 * worker threads stop with it. Long loops on the main thread give the event loop a turn every
 * ~50 ms (core/engine/time-slice.ts), so the handler runs promptly at any phase.
 */

// SIGHUP too: a closed terminal or a dropped SSH session must not leave claim data behind.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopGuard {
  /** Registers a synchronous cleanup for a stop; returns what unregisters it. */
  add(cleanup: () => void): () => void;
  /** Removes the signal handlers: the run is over (cleanups left registered are dropped). */
  dispose(): void;
}

export function guardStop(): StopGuard {
  const cleanups = new Set<() => void>();
  const dispose = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    cleanups.clear();
  };
  function onSignal(signal: NodeJS.Signals): void {
    for (const cleanup of [...cleanups]) {
      try {
        cleanup();
      } catch {}
    }
    // With its last handler gone the signal's default action is back: raising it stops the process.
    dispose();
    process.kill(process.pid, signal);
  }
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    add(cleanup) {
      cleanups.add(cleanup);
      return () => {
        cleanups.delete(cleanup);
      };
    },
    dispose,
  };
}
