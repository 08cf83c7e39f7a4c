/**
 * What the pipeline counts for CloudWatch (names in topology.ts METRICS), through the PipelineMetrics
 * port (ports.ts): on Lambda the counts go out as EMF log lines (functions/adapters/emf-metrics.ts),
 * tests record them, and the local runner drops them unless asked.
 */
import { z } from 'zod';
import type { BatchStatus } from '../core/report/summary.js';
import { SEVERITIES, type Severity } from '../core/rules/catalog.js';
import { checkJson } from './checked.js';
import { PipelineError } from './log.js';
import type { PipelineMetrics } from './ports.js';
import { METRICS, type MetricName } from './topology.js';

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
  const checked = checkJson(
    ReportedBatchSchema,
    typeof body === 'string' ? body : Buffer.from(body).toString('utf8'),
  );
  if (!checked.ok) throw new PipelineError('BAD_SUMMARY', `${key}: ${checked.problem}`);
  const { status, counts } = checked.value;
  return { status, checked: counts.checked, findings: counts.findings };
}
