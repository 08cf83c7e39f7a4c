// Bundles the CLI, its worker thread and the benchmark into dist/ with esbuild (npm ci runs this via `prepare`).
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

const entryPoints = {
  cli: 'functions/cli/main.ts',
  worker: 'functions/cli/worker.ts',
  ...(existsSync('bench/bench.ts') ? { bench: 'bench/bench.ts' } : {}),
};

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
