/**
 * The "report ready" notice: what the topic's subscribers are told of each report, built from the
 * summary and rendered three ways in one SNS publish (MessageStructure json): a subject line, a
 * plain-text body for email subscribers, and the JSON for machines (SQS, Lambda, HTTP/S, email-json:
 * every protocol not named gets `default`). Pure: the merge builds it, the SNS adapter sends it, the
 * local runner reads the JSON back and shows the email exactly as subscribers get it.
 *
 * It carries figures, the batch id and the file name, never claim data: no member id, claim id,
 * name or record value (rejection and missing-chunk texts are the summary's, which quote none).
 */
import { z } from 'zod';
import { formatCount, formatCounted, formatMoney } from '../core/report/format.js';
import type { Summary } from '../core/report/summary.js';
import { stemOf } from './batch-name.js';
import { type Checked, checkJson, type Parsed } from './checked.js';
import { reportPrefix } from './keys.js';
import { PipelineError } from './log.js';
import type { Notice } from './ports.js';
import { METRICS } from './topology.js';

export const NOTICE_TYPE = 'scrub62323.report-ready';

/** SNS documents subjects as "less than 100 characters". */
export const SUBJECT_MAX = 99;

const count = z.int().min(0);
const text = z.string().min(1);

/** The machine form of the notice (the JSON `default` message); every field but the last ones since release 1. */
export const ReportReadySchema = z.object({
  type: z.literal(NOTICE_TYPE),
  batchId: text,
  status: z.enum(METRICS.batchStatuses),
  asOf: z.iso.date(),
  reports: z.object({
    bucket: text,
    prefix: text,
    /** The report folder in the S3 console, where the function knows its region. */
    consoleUrl: z.string().optional(),
  }),
  source: z.object({ bucket: text, key: text, eTag: z.string().optional(), name: z.string() }),
  lines: count,
  findings: z.object({ error: count, warning: count, info: count }),
  missing: z.array(z.string()).optional(),
  subject: text,
  counts: z.object({ checked: count, rejected: count, claims: count, claimsWithErrors: count }),
  dollarsAtRisk: z.number().min(0),
  /** Why a rejected batch was refused (summary.json `error`). */
  error: z.object({ code: text, message: z.string() }).optional(),
  /** The command that downloads the report folder, where the stack is known. */
  fetchCommand: z.string().optional(),
});
export type ReportReady = Parsed<typeof ReportReadySchema>;

/** Where the notice points and what the function knows of its deployment. */
export interface NoticeSettings {
  readonly reportsBucket: string;
  /** AWS_REGION: the S3 console link is left out without it (the local runner). */
  readonly region?: string;
  /** STACK_NAME: the fetch command is left out without it. */
  readonly stackName?: string;
}

export interface NoticeSource {
  readonly bucket: string;
  readonly key: string;
  readonly eTag?: string;
}

/** Short reasons for the subject line, by rejection code; the body has the full sentence. */
const SHORT_REASONS: Readonly<Record<string, string>> = {
  UNSUPPORTED_FILE: 'unsupported file',
  EMPTY_FILE: 'empty file',
  NO_RECORDS: 'no records',
  NO_VALID_RECORDS: 'no valid records',
  NOT_TEXT: 'not a text CSV',
  NOT_COMMA_SEPARATED: 'not comma-separated',
  MISSING_COLUMNS: 'missing columns',
  BAD_HEADER: 'unreadable header',
  UNREADABLE_GZIP: 'unreadable gzip',
  BATCH_TOO_LARGE: 'batch too large',
  BAD_AS_OF: 'bad as-of date',
  BAD_RULE_PACK: 'rule pack refused',
};

const shortReason = (code: string): string => SHORT_REASONS[code] ?? code.toLowerCase().replace(/_/g, ' ');

/** Control characters and line breaks are not allowed in a subject. */
const oneLine = (value: string): string => value.replace(/\p{Cc}+/gu, ' ');

/** `scrub62323: <status> — <batch> — <what matters>`, cutting the batch name (never the status) to fit. */
export function subjectOf(notice: Omit<ReportReady, 'subject'>): string {
  const name = oneLine(stemOf(notice.source.name));
  const money = `${formatMoney(notice.dollarsAtRisk)} at risk`;
  const errors = formatCounted(notice.findings.error, 'error');
  const tail =
    notice.status === 'rejected'
      ? shortReason(notice.error?.code ?? 'unreadable')
      : notice.status === 'incomplete'
        ? `${formatCounted(notice.missing?.length ?? 0, 'chunk')} missing, ${errors}, ${money}`
        : `${errors}, ${money}`;
  const lead = `scrub62323: ${notice.status} — `;
  const rest = ` — ${oneLine(tail)}`;
  const room = SUBJECT_MAX - lead.length - rest.length;
  if (name.length <= room) return `${lead}${name}${rest}`;
  // Keep at least a letter of the name; a subject still too long (it cannot be, with our tails) is cut last.
  return `${lead}${name.slice(0, Math.max(1, room - 1))}…${rest}`.slice(0, SUBJECT_MAX);
}

/** The console's view of an S3 prefix, in the function's region. */
export const consoleUrlOf = (region: string, bucket: string, prefix: string): string =>
  `https://${region}.console.aws.amazon.com/s3/buckets/${bucket}?prefix=${prefix}`;

/** The machine notice of a written report. */
export function reportReadyOf(summary: Summary, source: NoticeSource, settings: NoticeSettings): ReportReady {
  const { batchId } = summary;
  const prefix = reportPrefix(batchId);
  const { counts } = summary;
  const notice: Omit<ReportReady, 'subject'> = {
    type: NOTICE_TYPE,
    batchId,
    status: summary.status,
    asOf: summary.asOf,
    reports: {
      bucket: settings.reportsBucket,
      prefix,
      ...(settings.region
        ? { consoleUrl: consoleUrlOf(settings.region, settings.reportsBucket, prefix) }
        : {}),
    },
    source: {
      bucket: source.bucket,
      key: source.key,
      ...(source.eTag ? { eTag: source.eTag } : {}),
      name: summary.source.name,
    },
    lines: counts.lines,
    findings: { ...counts.findings },
    ...(summary.missing ? { missing: [...summary.missing] } : {}),
    counts: {
      checked: counts.checked,
      rejected: counts.rejected,
      claims: counts.claims,
      claimsWithErrors: counts.claimsWithErrors,
    },
    dollarsAtRisk: summary.dollarsAtRisk,
    ...(summary.error ? { error: { code: summary.error.code, message: summary.error.message } } : {}),
    ...(settings.stackName
      ? { fetchCommand: `npx scrub62323 reports get ${batchId} --stack ${settings.stackName}` }
      : {}),
  };
  return { ...notice, subject: subjectOf(notice) };
}

/** Missing chunks named in the body; more are counted (summary.json lists them all). */
const MISSING_SHOWN = 5;

/** What the status means, in one sentence. */
function statusSentence(notice: ReportReady): string {
  if (notice.status === 'rejected') {
    const reason = notice.error?.message ?? 'The batch could not be read.';
    return `Rejected: nothing was checked. ${reason}`;
  }
  if (notice.status === 'incomplete') {
    const missing = notice.missing ?? [];
    const shown = missing.slice(0, MISSING_SHOWN).join('; ');
    const more =
      missing.length > MISSING_SHOWN ? `; and ${formatCount(missing.length - MISSING_SHOWN)} more` : '';
    return `Incomplete: ${formatCounted(missing.length, 'chunk')} failed for good and ${missing.length === 1 ? 'is' : 'are'} not in the figures (${shown}${more}); redrive the chunk dead-letter queue to complete the report.`;
  }
  return 'Complete: every line was checked or listed in rejected.csv.';
}

/** The plain-text body email subscribers read. */
export function emailText(notice: ReportReady): string {
  const lines = [
    `scrub62323 has written the report of batch ${notice.batchId} (file ${notice.source.name}).`,
    '',
    statusSentence(notice),
    '',
    `As of:              ${notice.asOf}`,
  ];
  // A rejected batch shows no figures: zeros would read like a clean batch.
  if (notice.status !== 'rejected') {
    const { counts, findings } = notice;
    lines.push(
      `Lines:              ${formatCount(notice.lines)} (${formatCount(counts.checked)} checked, ${formatCount(counts.rejected)} rejected)`,
      `Claims with errors: ${formatCount(counts.claimsWithErrors)} of ${formatCount(counts.claims)}`,
      `Findings:           ${formatCounted(findings.error, 'error')}, ${formatCounted(findings.warning, 'warning')}, ${formatCount(findings.info)} info`,
      `Dollars at risk:    ${formatMoney(notice.dollarsAtRisk)}`,
    );
  }
  lines.push('', `Report folder: s3://${notice.reports.bucket}/${notice.reports.prefix}`);
  if (notice.reports.consoleUrl) lines.push(`In the S3 console: ${notice.reports.consoleUrl}`);
  if (notice.fetchCommand) lines.push('', 'Download it with:', `  ${notice.fetchCommand}`);
  lines.push(
    '',
    'This notice carries figures only, never claim data. The report folder holds claim data (PHI).',
  );
  return `${lines.join('\n')}\n`;
}

/** The notice as published: subject, a message per protocol, and the attributes subscriptions filter on. */
export function noticeOf(notice: ReportReady): Notice {
  return {
    subject: notice.subject,
    byProtocol: {
      default: JSON.stringify(notice),
      email: emailText(notice),
      // A text message gets the subject line, not the JSON.
      sms: notice.subject,
    },
    attributes: { batchId: notice.batchId, status: notice.status },
  };
}

/** How a mail client shows the email (the local runner prints it). SNS sends from this address. */
export const emailView = (notice: ReportReady): string =>
  `From: scrub62323 report ready <no-reply@sns.amazonaws.com>\nSubject: ${notice.subject}\n\n${emailText(notice)}`;

/** An SQS subscription without raw delivery wraps the message in the SNS envelope. */
const EnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });
/** What an endpoint that ignores MessageStructure (the embedded emulator) delivers: the structure itself. */
const StructureSchema = z.object({ default: z.string(), sqs: z.string().optional() });

function unwrapped(body: string): string {
  const envelope = checkJson(EnvelopeSchema, body);
  const message = envelope.ok ? envelope.value.Message : body;
  const structure = checkJson(StructureSchema, message);
  return structure.ok ? (structure.value.sqs ?? structure.value.default) : message;
}

/**
 * A notice as an SQS subscriber receives it (raw or in the SNS envelope), checked against the schema;
 * UNREADABLE_MESSAGE when it is not one.
 */
export function decodeReportReady(body: string): ReportReady {
  const checked: Checked<ReportReady> = checkJson(ReportReadySchema, unwrapped(body));
  if (checked.ok) return checked.value;
  throw new PipelineError(
    'UNREADABLE_MESSAGE',
    `the report-ready notice is not readable: ${checked.problem}`,
  );
}
