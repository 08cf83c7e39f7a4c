/**
 * summary.json as the runner reads it back from the reports bucket: checked against a schema, since
 * the bucket is shared with whatever else uses the endpoint. Fields the runner does not know are kept.
 */
import { z } from 'zod';
import { SOURCE_ENCODINGS } from '../core/intake/encoding.js';
import type { Summary } from '../core/report/summary.js';
import { RULE_IDS, SEVERITIES } from '../core/rules/catalog.js';
import { checkJson } from '../pipeline/checked.js';

const count = z.int().min(0);
const severity = z.enum(SEVERITIES);
const severityCounts = z.object({ error: count, warning: count, info: count });

export const SummarySchema = z.looseObject({
  batchId: z.string().min(1),
  ruleSet: z.string(),
  rulePacks: z.array(
    z.looseObject({ name: z.string().min(1), version: z.string(), sha256: z.string(), lines: count }),
  ),
  asOf: z.iso.date(),
  status: z.enum(['complete', 'rejected', 'incomplete']),
  error: z.object({ code: z.string().min(1), message: z.string() }).optional(),
  missing: z.array(z.string()).optional(),
  source: z.looseObject({
    name: z.string(),
    bytes: count,
    sha256: z.string(),
    encoding: z.enum(SOURCE_ENCODINGS),
  }),
  counts: z.looseObject({
    lines: count,
    checked: count,
    rejected: count,
    claims: count,
    members: count,
    indexLines: count,
    flaggedLines: count,
    claimsWithErrors: count,
    cleanClaimRate: z.number().min(0).max(1),
    findings: severityCounts,
  }),
  byRule: z.partialRecord(
    z.enum(RULE_IDS),
    z.object({ severity, findings: count, charge: z.number(), severities: severityCounts.optional() }),
  ),
  dollarsAtRisk: z.number(),
  unknownColumns: z.array(z.string()),
  history: z.object({ ignoredRows: count }),
  generatedAt: z.string(),
}) satisfies z.ZodType<Summary>;

/** The summary, or the problem (a field and what was expected; never the value found). */
export function parseSummary(text: string): { ok: true; value: Summary } | { ok: false; problem: string } {
  return checkJson(SummarySchema, text);
}
