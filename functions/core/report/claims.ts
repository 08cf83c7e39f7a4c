/**
 * The claims of a report's worklist: one entry per claim with at least one finding, with what an
 * auditor sorts and filters by. report.html's worklist and findings.xlsx's Claims sheet both read it.
 */
import type { FlaggedFinding, ReportBatch } from '../engine/batch-findings.js';
import { parseCents } from '../engine/values.js';
import { RULE_IDS, type RuleId, type Severity } from '../rules/catalog.js';

export interface ClaimFindings {
  /** The claim id as written; empty for a line without one (each such line is a claim of its own). */
  readonly claimId: string;
  /** The lowest line of the claim that has a finding: ties in the ranking go to the claim flagged first. */
  readonly firstLine: number;
  /** Of the first flagged line. */
  readonly memberId: string;
  /** The earliest date of service among the claim's flagged lines (as normalised, YYYY-MM-DD when valid). */
  readonly dateOfService: string;
  /** Encounter NPI and payer of the first flagged line. */
  readonly providerNpi: string;
  readonly payer: string;
  readonly findings: Readonly<Record<Severity, number>>;
  /** Charges of the claim's lines with at least one error finding, in cents (its dollars at risk). */
  readonly errorCents: number;
  /** The rules that fired on the claim, in catalog order. */
  readonly ruleIds: readonly RuleId[];
  /** The claim's flagged lines, ascending. */
  readonly lines: readonly number[];
}

/** A claim as the pass tallies it; handed out as it is (a copy of every claim would double the peak). */
class ClaimTally implements ClaimFindings {
  readonly findings: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  errorCents = 0;
  /** The rules that fired, as bits of their catalog index (a Set per claim costs far more). */
  rulesLow = 0;
  rulesHigh = 0;
  readonly lines: number[] = [];
  lastErrorLine = -1;

  constructor(
    readonly claimId: string,
    readonly firstLine: number,
    readonly memberId: string,
    public dateOfService: string,
    readonly providerNpi: string,
    readonly payer: string,
  ) {}

  get ruleIds(): readonly RuleId[] {
    return RULE_IDS.filter((_ruleId, index) =>
      index < 32 ? (this.rulesLow >>> index) & 1 : (this.rulesHigh >>> (index - 32)) & 1,
    );
  }
}

const RULE_ORDER = new Map(RULE_IDS.map((ruleId, index) => [ruleId, index]));
if (RULE_IDS.length > 64) throw new Error('claims.ts keeps rule ids in 64 bits');

/** Claims without an id are not one claim: each of their lines stands alone. */
export const claimKey = (claimId: string, line: number): string =>
  claimId === '' ? `\u0000${line}` : claimId;

/** Dates as written sort after valid ones, so an invalid date never hides a claim's real first date. */
const earlier = (a: string, b: string): string => {
  const validA = /^\d{4}-\d{2}-\d{2}$/.test(a);
  const validB = /^\d{4}-\d{2}-\d{2}$/.test(b);
  if (validA !== validB) return validA ? a : b;
  return a <= b ? a : b;
};

/**
 * Every claim with a finding, by dollars at risk (descending), then by its first flagged line. The
 * rows come sorted by line (findings.csv's order); one pass, holding one small entry per claim.
 */
export function claimsOf(rows: Iterable<FlaggedFinding>): ClaimFindings[] {
  const pass = new ClaimsPass();
  for (const row of rows) pass.add(row);
  return pass.finish();
}

/** claimsOf a row at a time. */
class ClaimsPass {
  private readonly claims = new Map<string, ClaimTally>();

  add({ finding, echo }: FlaggedFinding): void {
    const key = claimKey(echo.claimId, finding.line);
    let claim = this.claims.get(key);
    if (claim === undefined) {
      claim = new ClaimTally(
        echo.claimId,
        finding.line,
        echo.memberId,
        echo.dateOfService,
        echo.providerNpi,
        echo.payer,
      );
      this.claims.set(key, claim);
    }
    claim.findings[finding.severity] += 1;
    const rule = RULE_ORDER.get(finding.ruleId)!;
    if (rule < 32) claim.rulesLow |= 1 << rule;
    else claim.rulesHigh |= 1 << (rule - 32);
    if (claim.lines.at(-1) !== finding.line) {
      claim.lines.push(finding.line);
      claim.dateOfService = earlier(claim.dateOfService, echo.dateOfService);
    }
    if (finding.severity === 'error' && claim.lastErrorLine !== finding.line) {
      claim.errorCents += parseCents(echo.charge) ?? 0;
      claim.lastErrorLine = finding.line;
    }
  }

  finish(): ClaimFindings[] {
    return [...this.claims.values()].sort((a, b) => b.errorCents - a.errorCents || a.firstLine - b.firstLine);
  }
}

/**
 * A batch's claims, made on the first call: the report's files share one pass over the findings.
 * `alongside` lends that pass to another file's (findings.csv's): a pass over the findings read to
 * the end makes the claims on the way, so they cost no pass of their own.
 */
export interface BatchClaims {
  (): readonly ClaimFindings[];
  alongside(rows: Iterable<FlaggedFinding>): Iterable<FlaggedFinding>;
}

export function batchClaimsOf(batch: ReportBatch | undefined): BatchClaims {
  let claims: readonly ClaimFindings[] | undefined;
  const made = () => {
    claims ??= batch ? claimsOf(batch.flagged.rows()) : [];
    return claims;
  };
  function* alongside(rows: Iterable<FlaggedFinding>): Generator<FlaggedFinding> {
    if (claims !== undefined) {
      yield* rows;
      return;
    }
    const pass = new ClaimsPass();
    for (const row of rows) {
      pass.add(row);
      yield row;
    }
    // Only a pass read to the end holds every claim.
    claims ??= pass.finish();
  }
  return Object.assign(made, { alongside });
}
