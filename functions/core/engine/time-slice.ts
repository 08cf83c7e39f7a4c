/**
 * A merge runs on the thread that also handles signals, timers and I/O (the CLI's main thread), and
 * one partition's merge can take seconds. Long loops call `breathe()` between units of work and await
 * what it returns, so the event loop gets a turn at least every SLICE_MS: a Ctrl-C or SIGTERM handler
 * then runs within a fraction of a second at any phase.
 */

/** Long enough that the turns cost nothing measurable, short enough for a prompt stop. */
const SLICE_MS = 50;
let sliceStarted = performance.now();

/**
 * A promise resolved on the event loop's next turn once the current slice is used up; undefined
 * before that (the caller skips the await, so a hot loop pays only a clock read).
 */
export function breathe(): Promise<void> | undefined {
  if (performance.now() - sliceStarted < SLICE_MS) return undefined;
  return new Promise((resolve) =>
    setImmediate(() => {
      sliceStarted = performance.now();
      resolve();
    }),
  );
}
