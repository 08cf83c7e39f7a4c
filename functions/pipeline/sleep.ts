/** Waits `ms` milliseconds: the one sleep of functions/ (retry backoff, polling) and of the tests. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
