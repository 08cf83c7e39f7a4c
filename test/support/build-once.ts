import { execFileSync } from 'node:child_process';

/** vitest global setup: bundle dist/ (CLI, worker thread) so tests exercise what users run. */
export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
