/**
 * Optional, on moto_server (`--endpoint`), where S3 sends its own notifications (for the whole
 * incoming/ prefix, as the stack configures it) and SNS delivers to SQS for real:
 * - the "report ready" notice as subscribers receive it: an SQS queue subscribed without raw delivery
 *   gets the SNS envelope (Subject, the JSON Message, MessageAttributes), one with raw delivery the
 *   JSON itself with the attributes as SQS message attributes;
 * - every upload is answered: batch names in any letter case are checked, anything else (another
 *   name, an empty file, a file over the size limit) gets a rejected report (UNSUPPORTED_FILE) and a
 *   notice, and `check` takes and refuses exactly the same files.
 * Skipped where moto_server is not installed.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckCommand } from '../../../functions/cli/commands/check.js';
import { runPipeline } from '../../../functions/local/run.js';
import { BATCH_ID_PATTERN } from '../../../functions/pipeline/batch-id.js';
import { TOPICS } from '../../../functions/pipeline/topology.js';
import { hasMoto, motoForTests } from '../../support/moto.js';
import { AS_OF, SAMPLE } from '../helpers.js';

const moto = motoForTests();
const REGION = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-uploads-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const dollars = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A queue subscribed to the report-ready topic (the runner creates the same topic by name). */
async function subscriber(name: string, raw: boolean) {
  const sqs = new SQSClient({ endpoint: moto.endpoint, region: REGION, credentials });
  const sns = new SNSClient({ endpoint: moto.endpoint, region: REGION, credentials });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: TOPICS.reportReady }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes!.QueueArn,
      Attributes: { RawMessageDelivery: String(raw) },
    }),
  );
  sns.destroy();
  return {
    async receive(): Promise<Message[]> {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      return Messages;
    },
    stop: () => sqs.destroy(),
  };
}

describe.skipIf(!hasMoto)('on moto_server', () => {
  it('delivers the notice to SQS subscribers: subject, JSON body and attributes, in the envelope and raw', async () => {
    const envelope = await subscriber('notice-envelope', false);
    const raw = await subscriber('notice-raw', true);
    try {
      const run = await runPipeline({
        file: SAMPLE,
        asOf: AS_OF,
        endpoint: moto.endpoint,
        chunkLines: 200,
        logLevel: 'SILENT',
        timeoutMs: 60_000,
      });
      const { summary } = run;
      const errors = summary.counts.findings.error;
      const subject = `scrub62323: complete — nightly-batch — ${errors.toLocaleString('en-US')} error${errors === 1 ? '' : 's'}, ${dollars(summary.dollarsAtRisk)} at risk`;

      const [wrapped, ...moreWrapped] = await envelope.receive();
      expect(moreWrapped).toEqual([]);
      const body = JSON.parse(wrapped!.Body!) as {
        Type: string;
        Subject: string;
        Message: string;
        MessageAttributes: Record<string, { Type: string; Value: string }>;
      };
      expect(body.Type).toBe('Notification');
      expect(body.Subject).toBe(subject);
      expect(body.MessageAttributes).toEqual({
        batchId: { Type: 'String', Value: run.batchId },
        status: { Type: 'String', Value: 'complete' },
      });
      // SQS gets the JSON (`default`), not the email text.
      const json = JSON.parse(body.Message);
      expect(json).toMatchObject({
        type: 'scrub62323.report-ready',
        batchId: run.batchId,
        status: 'complete',
        asOf: AS_OF,
        subject,
        lines: summary.counts.lines,
        counts: { claims: summary.counts.claims, claimsWithErrors: summary.counts.claimsWithErrors },
        dollarsAtRisk: summary.dollarsAtRisk,
        reports: { prefix: `reports/${run.batchId}/` },
        source: { name: 'nightly-batch.csv', key: 'incoming/nightly-batch.csv' },
      });
      // The runner read the same notice back from its own (raw) subscription.
      expect(run.notice).toEqual(json);

      const [plain, ...morePlain] = await raw.receive();
      expect(morePlain).toEqual([]);
      expect(JSON.parse(plain!.Body!)).toEqual(json);
      expect(plain!.MessageAttributes).toMatchObject({
        batchId: { DataType: 'String', StringValue: run.batchId },
        status: { DataType: 'String', StringValue: 'complete' },
      });
    } finally {
      envelope.stop();
      raw.stop();
    }
  });

  const batchCsv = async () => readFile(SAMPLE);
  const cases: {
    name: string;
    body: () => Promise<Buffer>;
    status: 'complete' | 'rejected';
    stem: string;
    message?: RegExp;
    read?: boolean;
  }[] = [
    { name: 'NIGHTLY.CSV', body: batchCsv, status: 'complete', stem: 'NIGHTLY' },
    { name: 'x.CSV.GZ', body: async () => gzipSync(await batchCsv()), status: 'complete', stem: 'x' },
    {
      name: 'notes.txt',
      body: async () => Buffer.from('shopping list\n'),
      status: 'rejected',
      stem: 'notes.txt',
      message: /^The file is not a \.csv or \.csv\.gz file/,
    },
    {
      name: 'empty.csv',
      body: async () => Buffer.alloc(0),
      status: 'rejected',
      stem: 'empty',
      message: /^The file is empty \(0 bytes\)/,
    },
    {
      name: 'big.csv',
      body: batchCsv,
      status: 'rejected',
      stem: 'big',
      message: /^The file is [\d,]+ bytes, more than the upload limit of 1,000 bytes \(MAX_UPLOAD_BYTES\)/,
      read: false,
    },
  ];

  it.each(cases)('$name: a $status report and a notice; check agrees', async (item) => {
    const file = join(folder, item.name);
    const bytes = await item.body();
    await writeFile(file, bytes);
    const run = await runPipeline({
      file,
      asOf: AS_OF,
      endpoint: moto.endpoint,
      // No member history: the batches of the other tests would count as earlier sessions.
      historyStore: false,
      logLevel: 'SILENT',
      timeoutMs: 60_000,
      ...(item.read === false ? { maxUploadBytes: 1000 } : {}),
    });
    expect(run.eventSource).toBe('endpoint'); // moto's own notification, for any name under incoming/
    expect(run.batchId).toMatch(BATCH_ID_PATTERN);
    expect(run.batchId).toContain(`-${item.stem}-`);
    expect(run.summary.status).toBe(item.status);
    expect(run.notice).toMatchObject({ batchId: run.batchId, status: item.status });
    if (item.status === 'complete') {
      expect(run.summary.counts.lines).toBe(724);
    } else {
      const sha256 = item.read === false ? '' : createHash('sha256').update(bytes).digest('hex');
      expect(run.summary).toMatchObject({
        error: { code: 'UNSUPPORTED_FILE', message: expect.stringMatching(item.message!) },
        source: { name: item.name, bytes: (await stat(file)).size, sha256 },
        counts: { lines: 0, checked: 0, rejected: 0 },
      });
      expect(run.notice?.subject).toBe(`scrub62323: rejected — ${item.stem} — unsupported file`);
      expect(run.files['findings.csv'].split('\n')[1]).toBe('');
    }

    // check takes and refuses the same file (it has no upload size limit: it streams any size).
    const out = join(folder, `check-${item.name}`);
    const code = await runCheckCommand(
      [file, '--as-of', AS_OF, '--out', out, '--workers', '0'],
      { stdout: () => undefined, stderr: () => undefined },
      { workerUrl: new URL('file:///unused'), now: () => new Date(run.summary.generatedAt) },
    );
    const checked = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    if (item.read === false) {
      expect(code).toBe(0);
      expect(checked.status).toBe('complete');
      return;
    }
    expect(code).toBe(item.status === 'complete' ? 0 : 2);
    expect({ ...checked, batchId: run.batchId }).toEqual(run.summary);
  });
});
