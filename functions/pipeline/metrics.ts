/**
 * What the pipeline counts for CloudWatch (names in topology.ts METRICS), behind a port: on Lambda
 * the counts go out as EMF log lines (functions/adapters/emf-metrics.ts), tests record them, and the
 * local runner drops them unless asked.
 */
import { z } from 'zod';
import type { BatchStatus } from '../core/report/summary.js';
import { SEVERITIES, type Severity } from '../core/rules/catalog.js';
import { PipelineError } from './log.js';
import { METRICS, type MetricName } from './topology.js';

export type MetricDimensions = Readonly<Record<string, string>>;

/** What the pipeline uses of a metrics client. */
export interface PipelineMetrics {
  /** Adds to a count; `dimensions` (beyond the service) split it, e.g. by report status. */
  count(name: MetricName, value: number, dimensions?: MetricDimensions): void;
  /** Writes out what was counted since the last publish: once, at the end of each invocation. */
  publish(): void;
}

export const quietMetrics: PipelineMetrics = { count: () => undefined, publish: () => undefined };

/** The facts of a written report that the metrics carry. */
export interface ReportedBatch {
  readonly status: BatchStatus;
  readonly checked: number;
  readonly findings: Readonly<Record<Severity, number>>;
}

const FINDINGS_METRIC: Record<Severity, MetricName> = {
  error: METRICS.names.findingsError,
  warning: METRICS.names.findingsWarning,
  info: METRICS.names.findingsInfo,
};

/** One report written: BatchesReported by status, the lines checked and the findings by severity. */
export function countReport(metrics: PipelineMetrics, report: ReportedBatch): void {
  metrics.count(METRICS.names.batchesReported, 1, { [METRICS.statusDimension]: report.status });
  metrics.count(METRICS.names.linesChecked, report.checked);
  for (const severity of SEVERITIES) {
    metrics.count(FINDINGS_METRIC[severity], report.findings[severity]);
  }
}

/** One chunk given up on after its last receive. */
export function countChunkFailed(metrics: PipelineMetrics): void {
  metrics.count(METRICS.names.chunksFailed, 1);
}

const count = z.number().int().nonnegative();

/** The part of a report's summary.json the metrics read. */
const ReportedBatchSchema = z.object({
  status: z.enum(METRICS.batchStatuses),
  counts: z.object({
    checked: count,
    findings: z.object({ error: count, warning: count, info: count }),
  }),
});

/** Reads the metrics facts from a summary.json, or says which field is wrong. */
export function decodeReportedBatch(body: string | Uint8Array, key: string): ReportedBatch {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    throw new PipelineError('BAD_SUMMARY', `${key} is not JSON`);
  }
  const parsed = ReportedBatchSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || '(root)';
    throw new PipelineError('BAD_SUMMARY', `${key}: field ${field} is missing or not valid`);
  }
  return {
    status: parsed.data.status,
    checked: parsed.data.counts.checked,
    findings: parsed.data.counts.findings,
  };
}
