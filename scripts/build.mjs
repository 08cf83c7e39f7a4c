// Bundles the CLI, its worker thread and the benchmark into dist/ with esbuild (npm ci runs this via `prepare`).
import { existsSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const entryPoints = {
  cli: 'functions/cli/main.ts',
  worker: 'functions/cli/worker.ts',
  'function-thread': 'functions/local/function-thread.ts',
  ...(existsSync('bench/bench.ts') ? { bench: 'bench/bench.ts' } : {}),
  ...(existsSync('bench/xlsx-child.ts') ? { 'xlsx-child': 'bench/xlsx-child.ts' } : {}),
};

// Code splitting names chunks by content hash: clear old ones so dist/ holds only this build.
rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // Code splitting keeps the pipeline's AWS SDK out of `check`'s start-up (it loads on demand).
  splitting: true,
  target: 'node20',
  // Dependencies load from node_modules at run time; only our own code is bundled.
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
