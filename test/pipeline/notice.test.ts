/**
 * The "report ready" notice as people and machines read it: the subject line (status first, at most
 * 99 characters, the batch name cut rather than the status), the email body with formatted figures,
 * the console link and the fetch command, the JSON read back, and no claim data anywhere.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../functions/core/report/summary.js';
import { scrubBatch } from '../../functions/core/scrub.js';
import {
  decodeReportReady,
  emailText,
  emailView,
  NOTICE_TYPE,
  noticeOf,
  type ReportReady,
  reportReadyOf,
} from '../../functions/pipeline/notice.js';
import { AS_OF } from './helpers.js';

const BATCH = '2026-11-28-nightly-3f9c2a1b7e';
const SOURCE = { bucket: 'scrub62323-intake-prod', key: 'incoming/nightly.csv', eTag: 'abc' };
const SETTINGS = { reportsBucket: 'scrub62323-reports-prod-1-eu-west-1' };

/** A summary as summary.json holds it, written out by hand. */
function summary(overrides: Partial<Summary> = {}): Summary {
  return {
    batchId: BATCH,
    ruleSet: '62323/v2',
    rulePacks: [],
    asOf: AS_OF,
    status: 'complete',
    source: { name: 'nightly.csv', bytes: 123_456, sha256: 'f'.repeat(64), encoding: 'utf-8' },
    counts: {
      lines: 1000,
      checked: 998,
      rejected: 2,
      claims: 400,
      members: 350,
      indexLines: 120,
      flaggedLines: 37,
      claimsWithErrors: 21,
      cleanClaimRate: 0.9475,
      findings: { error: 12, warning: 30, info: 0 },
    },
    byRule: {},
    dollarsAtRisk: 4310,
    unknownColumns: [],
    history: { ignoredRows: 0 },
    generatedAt: '2026-11-28T03:12:09Z',
    ...overrides,
  };
}

const rejected = (code: string, message: string, name = 'notes.txt') =>
  summary({
    status: 'rejected',
    error: { code, message },
    source: { name, bytes: 9, sha256: '', encoding: 'utf-8' },
  });

const incomplete = summary({
  status: 'incomplete',
  missing: ['chunk 2 (lines 40002-60001, 20000 records)', 'chunk 5 (lines 100002-120001, 20000 records)'],
});

describe('the subject line', () => {
  it.each([
    ['complete', summary(), 'scrub62323: complete — nightly — 12 errors, $4,310.00 at risk'],
    [
      'complete, one error',
      summary({
        counts: { ...summary().counts, findings: { error: 1, warning: 0, info: 0 } },
        dollarsAtRisk: 95,
      }),
      'scrub62323: complete — nightly — 1 error, $95.00 at risk',
    ],
    [
      'rejected',
      rejected('UNSUPPORTED_FILE', 'The file is not a .csv or .csv.gz file.'),
      'scrub62323: rejected — notes.txt — unsupported file',
    ],
    [
      'rejected for its header',
      rejected('MISSING_COLUMNS', 'Required columns are missing: units.', 'NIGHTLY.CSV'),
      'scrub62323: rejected — NIGHTLY — missing columns',
    ],
    [
      'incomplete',
      incomplete,
      'scrub62323: incomplete — nightly — 2 chunks missing, 12 errors, $4,310.00 at risk',
    ],
  ])('%s', (_name, given, expected) => {
    expect(reportReadyOf(given, SOURCE, SETTINGS).subject).toBe(expected);
  });

  it('stays within 99 characters for the longest batch name, cutting the name and never the status', () => {
    const name = `${'a-very-long-export-name-from-the-billing-system-'.repeat(3)}.csv`;
    const huge = summary({
      status: 'incomplete',
      source: { ...summary().source, name },
      missing: Array.from({ length: 1234 }, (_, index) => `chunk ${index}`),
      counts: { ...summary().counts, findings: { error: 1_234_567, warning: 0, info: 0 } },
      dollarsAtRisk: 12_345_678.9,
    });
    const { subject } = reportReadyOf(huge, SOURCE, SETTINGS);
    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(/^scrub62323: incomplete — a-[a-z-]+… — /);
    expect(subject.endsWith(' — 1,234 chunks missing, 1,234,567 errors, $12,345,678.90 at risk')).toBe(true);
    for (const status of ['complete', 'rejected'] as const) {
      const other = reportReadyOf(
        { ...huge, status, ...(status === 'rejected' ? { error: { code: 'NOT_TEXT', message: 'x' } } : {}) },
        SOURCE,
        SETTINGS,
      ).subject;
      expect(other.length, status).toBeLessThanOrEqual(99);
      expect(other.startsWith(`scrub62323: ${status} — `), status).toBe(true);
    }
  });

  it('has no line breaks or control characters, whatever the file name holds', () => {
    const { subject } = reportReadyOf(
      summary({ source: { ...summary().source, name: 'night\r\nly\u0007.csv' } }),
      SOURCE,
      SETTINGS,
    );
    expect(subject).not.toMatch(/\p{Cc}/u);
    expect(subject).toBe('scrub62323: complete — night-ly — 12 errors, $4,310.00 at risk');
  });
});

describe('the email body', () => {
  const settings = { ...SETTINGS, region: 'eu-west-1', stackName: 'Scrub62323-prod' };

  it('gives the batch, status, as-of date, formatted figures, the console link and the fetch command', () => {
    const text = emailText(reportReadyOf(summary(), SOURCE, settings));
    expect(text).toContain(`batch ${BATCH} (file nightly.csv)`);
    expect(text).toContain('Complete: every line was checked or listed in rejected.csv.');
    expect(text).toContain(`As of:              ${AS_OF}`);
    expect(text).toContain('Lines:              1,000 (998 checked, 2 rejected)');
    expect(text).toContain('Claims with errors: 21 of 400');
    expect(text).toContain('Findings:           12 errors, 30 warnings, 0 info');
    expect(text).toContain('Dollars at risk:    $4,310.00');
    expect(text).toContain(`Report folder: s3://${SETTINGS.reportsBucket}/reports/${BATCH}/`);
    expect(text).toContain(
      `https://eu-west-1.console.aws.amazon.com/s3/buckets/${SETTINGS.reportsBucket}?prefix=reports/${BATCH}/`,
    );
    expect(text).toContain(`  npx scrub62323 reports get ${BATCH} --stack Scrub62323-prod`);
  });

  it('leaves out the console link and the command where the region and the stack are unknown (locally)', () => {
    const text = emailText(reportReadyOf(summary(), SOURCE, SETTINGS));
    expect(text).not.toContain('console.aws.amazon.com');
    expect(text).not.toContain('reports get');
  });

  it('says why a batch was rejected, in its own sentence, and shows no figures that look like a clean batch', () => {
    const text = emailText(
      reportReadyOf(
        rejected('UNSUPPORTED_FILE', 'The file is empty (0 bytes); upload the batch again.', 'empty.csv'),
        SOURCE,
        settings,
      ),
    );
    expect(text).toContain(
      'Rejected: nothing was checked. The file is empty (0 bytes); upload the batch again.',
    );
    expect(text).not.toMatch(/Lines:|Dollars at risk:|Claims with errors:/);
  });

  it('names the missing chunks of an incomplete report in one sentence, and counts those beyond five', () => {
    const text = emailText(reportReadyOf(incomplete, SOURCE, settings));
    expect(text).toContain(
      'Incomplete: 2 chunks failed for good and are not in the figures (chunk 2 (lines 40002-60001, 20000 records); chunk 5 (lines 100002-120001, 20000 records)); redrive the chunk dead-letter queue to complete the report.',
    );
    const many = summary({
      status: 'incomplete',
      missing: Array.from({ length: 8 }, (_, i) => `chunk ${i}`),
    });
    expect(emailText(reportReadyOf(many, SOURCE, settings))).toContain(
      '(chunk 0; chunk 1; chunk 2; chunk 3; chunk 4; and 3 more)',
    );
  });

  it('is shown locally as a mail client shows it: From, Subject, then the body', () => {
    const notice = reportReadyOf(summary(), SOURCE, SETTINGS);
    expect(emailView(notice)).toBe(
      `From: scrub62323 report ready <no-reply@sns.amazonaws.com>\nSubject: ${notice.subject}\n\n${emailText(notice)}`,
    );
  });
});

describe('the published notice', () => {
  it('sends the JSON by default, the text to email, the subject to SMS, with batchId and status attributes', () => {
    const notice = reportReadyOf(incomplete, SOURCE, SETTINGS);
    const published = noticeOf(notice);
    expect(published.subject).toBe(notice.subject);
    expect(JSON.parse(published.byProtocol.default)).toEqual(notice);
    expect(published.byProtocol.email).toBe(emailText(notice));
    expect(published.byProtocol.sms).toBe(notice.subject);
    expect(published.attributes).toEqual({ batchId: BATCH, status: 'incomplete' });
  });

  it('keeps the fields of release 1 for machine subscribers', () => {
    const notice = reportReadyOf(incomplete, SOURCE, SETTINGS);
    expect(notice).toMatchObject({
      type: NOTICE_TYPE,
      batchId: BATCH,
      status: 'incomplete',
      asOf: AS_OF,
      reports: { bucket: SETTINGS.reportsBucket, prefix: `reports/${BATCH}/` },
      source: { bucket: SOURCE.bucket, key: SOURCE.key, eTag: 'abc' },
      lines: 1000,
      findings: { error: 12, warning: 30, info: 0 },
      missing: incomplete.missing,
      counts: { checked: 998, rejected: 2, claims: 400, claimsWithErrors: 21 },
      dollarsAtRisk: 4310,
    });
  });
});

describe('reading a notice back', () => {
  const notice: ReportReady = reportReadyOf(summary(), SOURCE, SETTINGS);
  const json = JSON.stringify(notice);

  it('reads the JSON delivered raw, in the SNS envelope, or as the whole per-protocol structure', () => {
    expect(decodeReportReady(json)).toEqual(notice);
    expect(
      decodeReportReady(JSON.stringify({ Type: 'Notification', Subject: notice.subject, Message: json })),
    ).toEqual(notice);
    expect(decodeReportReady(JSON.stringify({ default: json, email: 'text' }))).toEqual(notice);
  });

  it('names what is wrong', () => {
    expect(() => decodeReportReady(JSON.stringify({ ...notice, lines: undefined }))).toThrow(
      expect.objectContaining({
        code: 'UNREADABLE_MESSAGE',
        message: expect.stringMatching(/lines: missing$/),
      }),
    );
    expect(() => decodeReportReady(JSON.stringify({ ...notice, type: 'other' }))).toThrow(
      /type: expected "scrub62323.report-ready"$/,
    );
  });
});

describe('no claim data in any part of the notice', () => {
  const MEMBER = 'M98765432';
  const CLAIM = 'CLM7777777';
  const PATIENT = 'Zebediah Quux';
  const header =
    'claim_id,line_no,member_id,patient_dob,date_of_service,procedure_code,dx_1,units,place_of_service,rendering_npi,charge,payer';
  const rows = [
    `${CLAIM},1,${MEMBER},1961-07-04,2026-11-02,62323,M54.16,1,11,1234567893,1250.00,${PATIENT}`,
    `${CLAIM},1,${MEMBER},1961-07-04,2026-11-02,62323,M54.16,1,11,1234567893,1250.00,${PATIENT}`, // a duplicate
    `${CLAIM},2,${MEMBER},1961-07-04,2026-11-02,77003,,1,11,1234567893,95.00,${PATIENT}`,
    `${CLAIM},"3,${MEMBER}`, // a broken record
  ];

  const allParts = (given: Summary): string => {
    const published = noticeOf(
      reportReadyOf(
        given,
        { bucket: 'intake', key: 'incoming/nightly.csv' },
        { ...SETTINGS, region: 'us-east-1', stackName: 'Scrub62323-dev' },
      ),
    );
    return [
      published.subject,
      ...Object.values(published.byProtocol),
      ...Object.values(published.attributes),
    ].join('\n');
  };

  it.each([
    ['a batch with findings and a rejected record', [header, ...rows].join('\n')],
    ['a header-less batch (rejected)', rows.join('\n')],
  ])('%s', async (_name, csv) => {
    const { summary: scrubbed } = await scrubBatch([Buffer.from(`${csv}\n`)], {
      batchId: BATCH,
      sourceName: 'nightly.csv',
      asOf: AS_OF,
    });
    const text = allParts(scrubbed);
    expect(text).toContain(BATCH);
    for (const planted of [MEMBER, CLAIM, PATIENT, '1961-07-04', '1234567893'])
      expect(text).not.toContain(planted);
  });

  it('an incomplete report names chunks and lines, never their records', () => {
    const text = allParts({ ...incomplete, missing: ['chunk 0 (lines 2-5, 4 records)'] });
    for (const planted of [MEMBER, CLAIM, PATIENT]) expect(text).not.toContain(planted);
  });
});
