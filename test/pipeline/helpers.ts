/**
 * Shared by the pipeline tests: the in-process reference (what `check` computes), a synthetic batch
 * generator, store wrappers that inject faults, and a log recorder.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { HistorySource } from '../../functions/core/engine/accumulator.js';
import { memorySpill } from '../../functions/core/engine/partitioned-merge.js';
import { inMemoryHistory, parseHistoryCsv } from '../../functions/core/history.js';
import { fileContent, type ReportContents, TEXT_REPORT_FILES } from '../../functions/core/report/files.js';
import type { Summary } from '../../functions/core/report/summary.js';
import { scrubBatch } from '../../functions/core/scrub.js';
import type { PipelineLogger } from '../../functions/pipeline/log.js';
import type { MetricDimensions, ObjectStore, PipelineMetrics } from '../../functions/pipeline/ports.js';
import type { ClosableSpill } from '../../functions/pipeline/shard-merge.js';
import type { MetricName } from '../../functions/pipeline/topology.js';
import { workbookContents } from '../support/xlsx.js';

export const SAMPLE = 'samples/nightly-batch.csv';
export const SAMPLE_HISTORY = 'samples/prior-history.csv';
export const AS_OF = '2026-11-28';

export async function* chunksOf(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.subarray(offset, offset + size);
}

export interface ReferenceOptions {
  readonly batchId: string;
  readonly sourceName: string;
  readonly asOf: string;
  /** generatedAt of the pipeline's summary, so whole files compare. */
  readonly generatedAt: string;
  readonly historyPath?: string;
}

/** The report `check` (scrubBatch) writes for the same bytes. */
export async function referenceReport(bytes: Uint8Array, options: ReferenceOptions): Promise<ReportContents> {
  let history: HistorySource | undefined;
  if (options.historyPath)
    history = inMemoryHistory(parseHistoryCsv(await readFile(options.historyPath, 'utf8')).sessions);
  const result = await scrubBatch(
    chunksOf(bytes),
    {
      batchId: options.batchId,
      sourceName: options.sourceName,
      asOf: options.asOf,
      now: () => new Date(options.generatedAt),
    },
    history ? { history } : {},
  );
  const xlsx = result.report.find((file) => file.name === 'findings.xlsx')!;
  return { ...result.files, 'findings.xlsx': await fileContent(xlsx) };
}

/**
 * Two reports are the same: the text files byte for byte, findings.xlsx by what it shows (sheets,
 * values, formats). Its zip entries carry the time they were written, so its bytes differ.
 */
export async function expectSameReport(files: ReportContents, reference: ReportContents): Promise<void> {
  for (const name of TEXT_REPORT_FILES) expect(files[name], name).toBe(reference[name]);
  expect(await workbookContents(files['findings.xlsx']), 'findings.xlsx').toEqual(
    await workbookContents(reference['findings.xlsx']),
  );
}

/** Expects the pipeline's report of `bytes` to be the one `check` writes of them (its batch id and times). */
export async function expectSameAsCheck(
  files: ReportContents,
  bytes: Uint8Array,
  summary: Summary,
  historyPath?: string,
): Promise<void> {
  const reference = await referenceReport(bytes, {
    batchId: summary.batchId,
    sourceName: summary.source.name,
    asOf: summary.asOf,
    generatedAt: summary.generatedAt,
    ...(historyPath ? { historyPath } : {}),
  });
  await expectSameReport(files, reference);
}

const HEADER =
  'claim_id,line_no,member_id,patient_dob,date_of_service,procedure_code,modifier_1,dx_1,units,place_of_service,rendering_npi,charge,prior_auth,payer';

/**
 * A synthetic batch of `records` lines (all data made up): claims of three lines (62323, imaging or a
 * steroid, an E/M), members with sessions all year (FREQUENCY_EXCEEDED across chunks), duplicates of
 * far-away lines (DUPLICATE_LINE across chunks), and now and then a broken record.
 */
export function syntheticBatch(records: number): string {
  const rows: string[] = [HEADER];
  const start = Date.UTC(2026, 0, 5);
  for (let row = 0; row < records; row += 1) {
    const claim = Math.floor(row / 3);
    const lineNo = (row % 3) + 1;
    if (row % 9973 === 9972) {
      rows.push(`CLM${claim},1,"unterminated,M1,1960-01-01`); // rejected by the parser
      continue;
    }
    const claimId = row % 10007 === 5000 ? `CLM${claim - 1200}` : `CLM${claim}`; // a resent line, chunks away
    const member = `M${String(10_000_000 + (claim % 4999))}`;
    const dos = new Date(start + (claim % 300) * 86_400_000).toISOString().slice(0, 10);
    const code = lineNo === 1 ? '62323' : lineNo === 2 ? (claim % 7 === 0 ? '77003' : 'J3301') : '99213';
    const modifier = lineNo === 3 && claim % 5 !== 0 ? '25' : '';
    const payer = claim % 4 === 0 ? '"Acme Health, Inc."' : 'Contoso Health Plan';
    rows.push(
      `${claimId},${lineNo},${member},1960-02-03,${dos},${code},${modifier},M54.16,1,11,1234567893,${lineNo === 1 ? '1250.00' : '95.00'},PA${claim},${payer}`,
    );
  }
  return `${rows.join('\n')}\n`;
}

/**
 * Keeps every log line, as the JSON the logger would print, to look for claim data in it. Lines after
 * addContext carry the invocation's request id, as Powertools' do.
 */
export function recordingLogger(lines: string[]): (fn: string) => PipelineLogger {
  return (fn) => {
    let context: Record<string, unknown> = {};
    const record =
      (level: string) =>
      (message: string, attributes: Record<string, unknown> = {}) => {
        lines.push(JSON.stringify({ level, function: fn, message, ...context, ...attributes }));
      };
    return {
      debug: record('DEBUG'),
      info: record('INFO'),
      warn: record('WARN'),
      error: record('ERROR'),
      addContext: (lambda) => {
        context = { function_name: lambda.functionName, function_request_id: lambda.awsRequestId };
      },
    };
  };
}

export interface RecordedMetric {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions?: MetricDimensions;
}

/** Metrics kept in `published` as each invocation publishes them. */
export function recordingMetrics(published: RecordedMetric[][]): PipelineMetrics {
  let pending: RecordedMetric[] = [];
  return {
    count: (name, value, dimensions) => {
      pending.push({ name, value, ...(dimensions ? { dimensions } : {}) });
    },
    publish: () => {
      published.push(pending);
      pending = [];
    },
  };
}

export type StoreCall = 'read' | 'readRange' | 'open' | 'write' | 'writeIfAbsent' | 'exists' | 'list';

/** Wraps a store so that `fault(call, key)` may throw before the real call runs. */
export function faultyStore(store: ObjectStore, fault: (call: StoreCall, key: string) => void): ObjectStore {
  return {
    async read(bucket, key) {
      fault('read', key);
      return store.read(bucket, key);
    },
    async readRange(bucket, key, start, end) {
      fault('readRange', key);
      return store.readRange(bucket, key, start, end);
    },
    async open(bucket, key, options) {
      fault('open', key);
      return store.open(bucket, key, options);
    },
    async write(bucket, key, body, options) {
      fault('write', key);
      return store.write(bucket, key, body, options);
    },
    // A streamed write is a write: the same faults apply.
    async writeStream(bucket, key, body, options) {
      fault('write', key);
      return store.writeStream(bucket, key, body, options);
    },
    async compose(bucket, key, pieces, options) {
      fault('write', key);
      return store.compose(bucket, key, pieces, options);
    },
    async writeIfAbsent(bucket, key, body) {
      fault('writeIfAbsent', key);
      return store.writeIfAbsent(bucket, key, body);
    },
    async exists(bucket, key) {
      fault('exists', key);
      return store.exists(bucket, key);
    },
    async list(bucket, prefix) {
      fault('list', prefix);
      return store.list(bucket, prefix);
    },
  };
}

/** An error as a crashing function would throw it. */
export class InjectedCrash extends Error {
  constructor(what: string) {
    super(`injected crash: ${what}`);
    this.name = 'InjectedCrash';
  }
}

/** An ObjectStore in memory (writeIfAbsent is atomic, as S3's conditional write is). */
export function memoryStore(): ObjectStore & { readonly objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  const id = (bucket: string, key: string) => `${bucket}/${key}`;
  const bytes = (body: string | Uint8Array) => (typeof body === 'string' ? Buffer.from(body) : body);
  return {
    objects,
    async read(bucket, key) {
      return objects.get(id(bucket, key));
    },
    async readRange(bucket, key, start, end) {
      return objects.get(id(bucket, key))?.subarray(start, Math.max(start, end));
    },
    async open(bucket, key, options = {}) {
      const body = objects.get(id(bucket, key));
      const sent = options.range ? body?.subarray(options.range.start, options.range.end) : body;
      return body && sent
        ? { body: chunksOf(sent), metadata: {}, size: body.byteLength, discard: () => undefined }
        : 'missing';
    },
    async write(bucket, key, body) {
      objects.set(id(bucket, key), bytes(body));
    },
    async writeStream(bucket, key, body) {
      const pieces: Uint8Array[] = [];
      for await (const piece of body) pieces.push(piece);
      objects.set(id(bucket, key), Buffer.concat(pieces));
    },
    async compose(bucket, key, pieces) {
      const parts = pieces.map((piece) => {
        if ('bytes' in piece) return piece.bytes;
        const source = objects.get(id(piece.bucket, piece.key));
        if (source?.byteLength !== piece.size) throw new Error(`${piece.key} is not ${piece.size} bytes`);
        return source;
      });
      objects.set(id(bucket, key), Buffer.concat(parts));
    },
    async writeIfAbsent(bucket, key, body) {
      if (objects.has(id(bucket, key))) return false;
      objects.set(id(bucket, key), bytes(body));
      return true;
    },
    async exists(bucket, key) {
      return objects.has(id(bucket, key));
    },
    async list(bucket, prefix) {
      return [...objects.keys()]
        .filter((name) => name.startsWith(id(bucket, prefix)))
        .sort()
        .map((name) => ({ key: name.slice(bucket.length + 1), size: objects.get(name)!.byteLength }));
    },
  };
}

/** A spill store in memory that can be closed, for the merge's assembly in tests. */
export function closableMemorySpill(): ClosableSpill {
  let closed = false;
  const spill = memorySpill(1);
  return {
    partitions: 1,
    append: (stream, record) => spill.append(stream, record),
    records(stream, options) {
      if (closed) throw new Error('the spill store is closed');
      return spill.records(stream, options);
    },
    close() {
      closed = true;
      return true;
    },
  };
}
