/** summary.json: the figures an auditor and a dashboard read first. */
import type { ReportBatch } from '../engine/batch-findings.js';
import type { SourceEncoding } from '../intake/encoding.js';
import type { PackIdentity } from '../rules/books.js';
import { RULE_IDS, RULE_SET_ID, type RuleId, SEVERITIES, type Severity } from '../rules/catalog.js';
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

/** A pack a batch was judged with, and how many checked lines it judged. */
export interface RulePackUse extends PackIdentity {
  readonly lines: number;
}

/**
 * A rule's figures. `severity` is the severity its findings had; when packs gave the rule different
 * severities it is the most severe, and `severities` splits the findings.
 */
export interface RuleSummary {
  readonly severity: Severity;
  readonly findings: number;
  readonly charge: number;
  readonly severities?: Readonly<Record<Severity, number>>;
}

export interface Summary {
  readonly batchId: string;
  readonly ruleSet: string;
  readonly rulePacks: readonly RulePackUse[];
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
    /** Claims with at least one error finding (claims without an id are not counted as claims). */
    readonly claimsWithErrors: number;
    /** 1 − claimsWithErrors / claims; 1 when there are no claims. */
    readonly cleanClaimRate: number;
    readonly findings: Readonly<Record<Severity, number>>;
  };
  readonly byRule: Partial<Record<RuleId, RuleSummary>>;
  readonly dollarsAtRisk: number;
  readonly unknownColumns: readonly string[];
  /** Rows of the history files read for this batch that were ignored (a value missing or invalid, or no CSV). */
  readonly history: { readonly ignoredRows: number };
  readonly generatedAt: string;
}

export interface SummaryContext {
  readonly batchId: string;
  readonly asOf: string;
  readonly source: BatchSource;
  readonly unknownColumns: readonly string[];
  readonly generatedAt: Date;
  readonly missing?: readonly string[];
  /** Every pack the batch's books hold, the built-in rule set first. */
  readonly packs: readonly PackIdentity[];
  /** The pack of lines no pack's payers claim (index into `packs`). */
  readonly defaultPack: number;
  /** Rows of history files ignored while the batch was judged (0 when none was read). */
  readonly historyIgnoredRows?: number;
}

export const timestamp = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

const dollars = (cents: number): number => Math.round(cents) / 100;

const cleanClaimRate = (withErrors: number, claims: number): number =>
  claims === 0 ? 1 : 1 - withErrors / claims;

export function buildSummary(batch: ReportBatch, context: SummaryContext): Summary {
  const { tally } = batch.flagged;
  const byRule: Summary['byRule'] = {};
  for (const ruleId of RULE_IDS) {
    const figures = tally.rule(ruleId);
    if (figures === undefined) continue;
    const used = SEVERITIES.filter((severity) => figures.severities[severity] > 0);
    byRule[ruleId] = {
      severity: used[0]!,
      findings: figures.findings,
      charge: dollars(figures.cents),
      ...(used.length > 1 ? { severities: figures.severities } : {}),
    };
  }

  const incomplete = context.missing !== undefined && context.missing.length > 0;
  const noValidRecord = !incomplete && batch.checked === 0 && batch.rejectedRecords.length > 0;
  return {
    batchId: context.batchId,
    ruleSet: RULE_SET_ID,
    rulePacks: packUses(context, batch.packLines),
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
      claimsWithErrors: tally.claimsWithErrors,
      cleanClaimRate: cleanClaimRate(tally.claimsWithErrors, batch.claims),
      findings: { ...tally.severities },
    },
    byRule,
    dollarsAtRisk: dollars(tally.errorCents),
    unknownColumns: context.unknownColumns,
    history: { ignoredRows: context.historyIgnoredRows ?? 0 },
    generatedAt: timestamp(context.generatedAt),
  };
}

/**
 * The packs a batch was judged with: every loaded pack (a pack no line's payer matched still shaped
 * the batch's configuration), and the built-in rule set when it judged lines or is the default.
 */
function packUses(context: SummaryContext, packLines: readonly number[]): RulePackUse[] {
  return context.packs
    .map((pack, index) => ({ ...pack, lines: packLines[index] ?? 0 }))
    .filter((pack, index) => index > 0 || pack.lines > 0 || context.defaultPack === 0);
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
    // Nothing was judged, so no pack was used (whatever was loaded).
    rulePacks: [],
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
      claimsWithErrors: 0,
      cleanClaimRate: 1,
      findings: { error: 0, warning: 0, info: 0 },
    },
    byRule: {},
    dollarsAtRisk: 0,
    unknownColumns: context.unknownColumns,
    history: { ignoredRows: context.historyIgnoredRows ?? 0 },
    generatedAt: timestamp(context.generatedAt),
  };
}
