/** summary.json: the figures an auditor and a dashboard read first. */
import type { ReportBatch } from '../engine/batch-findings.js';
import type { SourceEncoding } from '../intake/encoding.js';
import { RULE_IDS, RULE_SET_ID, RULES, type RuleId, type Severity } from '../rules/catalog.js';
import { formatCount } from './format.js';

export type BatchStatus = 'complete' | 'rejected' | 'incomplete';

export interface BatchSource {
  readonly name: string;
  /** Size and hash of the upload as stored (gzipped or not, before any re-encoding). */
  readonly bytes: number;
  readonly sha256: string;
  readonly encoding: SourceEncoding;
}

export interface BatchError {
  readonly code: string;
  readonly message: string;
}

export interface Summary {
  readonly batchId: string;
  readonly ruleSet: string;
  readonly asOf: string;
  readonly status: BatchStatus;
  readonly error?: BatchError;
  readonly missing?: readonly string[];
  readonly source: BatchSource;
  readonly counts: {
    readonly lines: number;
    readonly checked: number;
    readonly rejected: number;
    readonly claims: number;
    readonly members: number;
    readonly indexLines: number;
    readonly flaggedLines: number;
    readonly findings: Readonly<Record<Severity, number>>;
  };
  readonly byRule: Partial<Record<RuleId, { severity: Severity; findings: number; charge: number }>>;
  readonly dollarsAtRisk: number;
  readonly unknownColumns: readonly string[];
  readonly generatedAt: string;
}

export interface SummaryContext {
  readonly batchId: string;
  readonly asOf: string;
  readonly source: BatchSource;
  readonly unknownColumns: readonly string[];
  readonly generatedAt: Date;
  readonly missing?: readonly string[];
}

export const timestamp = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

const dollars = (cents: number): number => Math.round(cents) / 100;

export function buildSummary(batch: ReportBatch, context: SummaryContext): Summary {
  const { tally } = batch.flagged;
  const byRule: Summary['byRule'] = {};
  for (const ruleId of RULE_IDS) {
    const figures = tally.rule(ruleId);
    if (figures === undefined) continue;
    byRule[ruleId] = {
      severity: RULES[ruleId].severity,
      findings: figures.findings,
      charge: dollars(figures.cents),
    };
  }

  const incomplete = context.missing !== undefined && context.missing.length > 0;
  const noValidRecord = !incomplete && batch.checked === 0 && batch.rejectedRecords.length > 0;
  return {
    batchId: context.batchId,
    ruleSet: RULE_SET_ID,
    asOf: context.asOf,
    status: incomplete ? 'incomplete' : noValidRecord ? 'rejected' : 'complete',
    ...(noValidRecord ? { error: noValidRecords(batch.rejectedRecords.length) } : {}),
    ...(incomplete ? { missing: context.missing } : {}),
    source: context.source,
    counts: {
      lines: batch.checked + batch.rejectedRecords.length,
      checked: batch.checked,
      rejected: batch.rejectedRecords.length,
      claims: batch.claims,
      members: batch.members,
      indexLines: batch.indexLines,
      flaggedLines: tally.flaggedLines,
      findings: { ...tally.severities },
    },
    byRule,
    dollarsAtRisk: dollars(tally.errorCents),
    unknownColumns: context.unknownColumns,
    generatedAt: timestamp(context.generatedAt),
  };
}

/**
 * A batch none of whose records could be read is refused as a whole, not reported as a clean batch
 * with nothing checked; its records are still counted and listed in rejected.csv.
 */
const noValidRecords = (rejected: number): BatchError => ({
  code: 'NO_VALID_RECORDS',
  message: `No record of the batch could be read: all ${formatCount(rejected)} are rejected (see rejected.csv for why).`,
});

/** The summary of a batch rejected as a whole: nothing was checked. */
export function rejectedSummary(context: SummaryContext, error: BatchError): Summary {
  return {
    batchId: context.batchId,
    ruleSet: RULE_SET_ID,
    asOf: context.asOf,
    status: 'rejected',
    error,
    source: context.source,
    counts: {
      lines: 0,
      checked: 0,
      rejected: 0,
      claims: 0,
      members: 0,
      indexLines: 0,
      flaggedLines: 0,
      findings: { error: 0, warning: 0, info: 0 },
    },
    byRule: {},
    dollarsAtRisk: 0,
    unknownColumns: context.unknownColumns,
    generatedAt: timestamp(context.generatedAt),
  };
}
