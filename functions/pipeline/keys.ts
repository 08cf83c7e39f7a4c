/**
 * Where a batch's files live. Work bucket, under `work/<batchId>/`:
 *   manifest.json     what split found (written after every chunk is stored: the commit point)
 *   rejected.json     records the framer rejected (in no chunk)
 *   dispatched        split has sent every chunk message
 *   chunks/000000     chunk payloads
 *   split/plan.json, split/planned   an upload split by byte ranges: its ranges; that their messages are sent
 *   split/ranges/000000.json, split/hash.json   each range's result; the upload's size and SHA-256
 *   split/assembly.lock.<n>   who turns the ranges' results into the manifest
 *   chunks/r000000-000000      chunk payloads a range splitter stored (range, then chunk in the range)
 *   parts/000000      chunk results (a JSON line, then typed arrays as bytes)
 *   failed/000000.json chunks given up on after the last receive
 *   merge/<state>.lock.<n>, merge/<state>.done   the merge of one final state (complete, incomplete-…)
 *                     is started: the lock names who dispatches its shards, `.done` that they are sent
 *   merge/<state>/plan.json    the shards of that state and the chunks left out (missing)
 *   merge/<state>/shards/000000  one shard's merge result (counts, its findings cut by render range)
 *   merge/<state>/render.lock.<n>, merge/<state>/rendering   who sends the render ranges; that they are sent
 *   merge/<state>/render/000000  findings.csv's rows of one line range (the first with the header)
 *   merge/<state>/assembly.lock.<n>, merge/<state>/reported   who assembles the report; that it is written
 * Reports bucket: `reports/<batchId>/<file>`.
 * Indexes are zero-padded so listings come back in chunk order.
 */
import type { ReportFileName } from '../core/report/files.js';
import { PREFIX } from './topology.js';

const pad = (index: number): string => String(index).padStart(6, '0');

export interface WorkKeys {
  readonly root: string;
  readonly manifest: string;
  readonly rejected: string;
  readonly dispatched: string;
  readonly partsPrefix: string;
  readonly failedPrefix: string;
  chunk(index: number): string;
  rangeChunk(range: number, index: number): string;
  readonly splitPlan: string;
  readonly splitPlanned: string;
  readonly rangeResultsPrefix: string;
  rangeResult(range: number): string;
  readonly splitHash: string;
  splitLock(generation: number): string;
  part(index: number): string;
  failed(index: number): string;
  lock(state: string, generation: number): string;
  done(state: string): string;
  plan(state: string): string;
  shardsPrefix(state: string): string;
  shard(state: string, shard: number): string;
  renderLock(state: string, generation: number): string;
  rendering(state: string): string;
  renderPrefix(state: string): string;
  render(state: string, range: number): string;
  assemblyLock(state: string, generation: number): string;
  reported(state: string): string;
}

export function workKeys(batchId: string): WorkKeys {
  const root = `${PREFIX.work}${batchId}/`;
  return {
    root,
    manifest: `${root}manifest.json`,
    rejected: `${root}rejected.json`,
    dispatched: `${root}dispatched`,
    partsPrefix: `${root}parts/`,
    failedPrefix: `${root}failed/`,
    chunk: (index) => `${root}chunks/${pad(index)}`,
    rangeChunk: (range, index) => `${root}chunks/r${pad(range)}-${pad(index)}`,
    splitPlan: `${root}split/plan.json`,
    splitPlanned: `${root}split/planned`,
    rangeResultsPrefix: `${root}split/ranges/`,
    rangeResult: (range) => `${root}split/ranges/${pad(range)}.json`,
    splitHash: `${root}split/hash.json`,
    splitLock: (generation) => `${root}split/assembly.lock.${generation}`,
    part: (index) => `${root}parts/${pad(index)}`,
    failed: (index) => `${root}failed/${pad(index)}.json`,
    lock: (state, generation) => `${root}merge/${state}.lock.${generation}`,
    done: (state) => `${root}merge/${state}.done`,
    plan: (state) => `${root}merge/${state}/plan.json`,
    shardsPrefix: (state) => `${root}merge/${state}/shards/`,
    shard: (state, shard) => `${root}merge/${state}/shards/${pad(shard)}`,
    renderLock: (state, generation) => `${root}merge/${state}/render.lock.${generation}`,
    rendering: (state) => `${root}merge/${state}/rendering`,
    renderPrefix: (state) => `${root}merge/${state}/render/`,
    render: (state, range) => `${root}merge/${state}/render/${pad(range)}`,
    assemblyLock: (state, generation) => `${root}merge/${state}/assembly.lock.${generation}`,
    reported: (state) => `${root}merge/${state}/reported`,
  };
}

/** The chunk index of a part or failure marker key, e.g. `…/parts/000012` or `…/failed/000012.json` → 12. */
export function indexOfKey(key: string): number | undefined {
  const match = /\/(\d{6,})(?:\.json)?$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

export const reportPrefix = (batchId: string): string => `${PREFIX.reports}${batchId}/`;
export const reportKey = (batchId: string, file: ReportFileName): string => `${reportPrefix(batchId)}${file}`;
