/**
 * The bytes of a spilled record of findings: a few dozen findings, sorted, and the echo of each line
 * they are on. A record is JSON arrays rather than objects (no key repeated in every finding), after
 * a one-byte header that says whether the text is all ASCII (then it is read back as Latin-1, which
 * makes its strings without decoding UTF-8).
 *
 * A record is read back on every pass of the report (findings.csv, the claims, the Findings sheet,
 * the page), so it is checked by hand rather than with zod: a zod parse of each record was a sixth
 * of a dense batch's report. The check is as complete as the schema it stands for (FINDING and
 * LINE_ECHO): every field of every finding and echo has its type, rule ids and severities are the
 * catalog's, and a record with anything else (or cut short, or not JSON) is refused. The same check
 * reads the records of a pipeline merge shard's result back from S3.
 */
import { ScrubError } from '../errors.js';
import { RULE_IDS, type RuleId, SEVERITIES, type Severity } from '../rules/catalog.js';
import type { LineEcho } from './claim-line.js';
import type { Finding } from './finding.js';

/** The header byte: format 1, text as UTF-8 … */
const UTF8 = 0x31;
/** … or format 1, text all ASCII. */
const ASCII = 0x41;

const RULE_INDEX = new Map<RuleId, number>(RULE_IDS.map((ruleId, index) => [ruleId, index]));
const SEVERITY_INDEX = new Map<Severity, number>(SEVERITIES.map((severity, index) => [severity, index]));

/** A record's findings and the echoes of their lines, one per line in the order first met. */
export interface FindingRecord {
  readonly findings: Finding[];
  readonly echoes: LineEcho[];
}

export function encodeFindingRecord(findings: readonly Finding[], echoes: readonly LineEcho[]): Uint8Array {
  const rows = findings.map((item) => [
    item.line,
    RULE_INDEX.get(item.ruleId)!,
    SEVERITY_INDEX.get(item.severity)!,
    item.message,
    item.related,
  ]);
  const lines = echoes.map((echo) => [
    echo.claimId,
    echo.lineNo,
    echo.memberId,
    echo.dateOfService,
    echo.procedureCode,
    echo.charge,
    echo.providerNpi,
    echo.payer,
    echo.rulePack,
  ]);
  const text = JSON.stringify([rows, lines]);
  const length = Buffer.byteLength(text, 'utf8');
  const bytes = Buffer.allocUnsafe(1 + length);
  // As many bytes as characters: every character is ASCII.
  bytes[0] = length === text.length ? ASCII : UTF8;
  bytes.write(text, 1, length, 'utf8');
  return bytes;
}

/** Reads what encodeFindingRecord wrote; anything else is a SPILL_UNREADABLE ScrubError naming `source`. */
export function decodeFindingRecord(record: Uint8Array, source: string): FindingRecord {
  const unreadable = () =>
    new ScrubError('SPILL_UNREADABLE', `spilled findings of ${source} do not read back`);
  const bytes = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const kind = bytes[0];
  if (kind !== ASCII && kind !== UTF8) throw unreadable();
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString(kind === ASCII ? 'latin1' : 'utf8', 1));
  } catch {
    throw unreadable();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw unreadable();
  const [rows, lines]: unknown[] = parsed;
  const findings = Array.isArray(rows) ? readFindings(rows) : undefined;
  const echoes = Array.isArray(lines) ? readEchoes(lines) : undefined;
  if (findings === undefined || echoes === undefined || linesOf(findings) !== echoes.length)
    throw unreadable();
  return { findings, echoes };
}

const isInteger = (value: unknown): value is number => Number.isInteger(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The lines of sorted findings: each has one echo. */
function linesOf(findings: readonly Finding[]): number {
  let lines = 0;
  let last: number | undefined;
  for (const { line } of findings) {
    if (line !== last) lines += 1;
    last = line;
  }
  return lines;
}

function readFindings(rows: readonly unknown[]): Finding[] | undefined {
  const findings: Finding[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 5) return undefined;
    const [line, rule, severity, message, related]: unknown[] = row;
    if (!isInteger(line) || !isString(message) || !Array.isArray(related)) return undefined;
    const ruleId = isInteger(rule) ? RULE_IDS[rule] : undefined;
    const judged = isInteger(severity) ? SEVERITIES[severity] : undefined;
    if (ruleId === undefined || judged === undefined || !related.every(isInteger)) return undefined;
    findings.push({ line, ruleId, severity: judged, message, related });
  }
  return findings;
}

function readEchoes(lines: readonly unknown[]): LineEcho[] | undefined {
  const echoes: LineEcho[] = [];
  for (const line of lines) {
    if (!Array.isArray(line) || line.length !== 9 || !line.every(isString)) return undefined;
    const [claimId, lineNo, memberId, dateOfService, procedureCode, charge, providerNpi, payer, rulePack] =
      line;
    echoes.push({
      claimId: claimId!,
      lineNo: lineNo!,
      memberId: memberId!,
      dateOfService: dateOfService!,
      procedureCode: procedureCode!,
      charge: charge!,
      providerNpi: providerNpi!,
      payer: payer!,
      rulePack: rulePack!,
    });
  }
  return echoes;
}
