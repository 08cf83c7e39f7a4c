/**
 * The local pipeline waits for its own batch: two `scrub62323 pipeline` runs at once on one
 * --endpoint (moto_server, when installed; skipped otherwise) each get their own report and exit 0,
 * and a rerun after `kill -9` does not wait for the messages the dead run left in flight.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { LocalPipeline } from '../../functions/local/runner.js';
import { hasMoto, motoForTests } from '../support/moto.js';
import {
  AS_OF,
  accountingProblems,
  csv,
  describeRun,
  readReport,
  row,
  runCli,
  scratch,
  sha256,
  startCli,
  waitFor,
  writeRows,
} from './support.js';

const moto = motoForTests();

/** Two different batches: their counts and findings tell the reports apart. */
const batchA = () => csv(Array.from({ length: 40 }, (_, index) => row(index, { modifiers: '50' })));
const batchB = () => csv(Array.from({ length: 7 }, (_, index) => row(index, { prior_auth: '' })));

async function sideBySide(names: [string, string], folders: [string, string]) {
  const space = await scratch('pipelines');
  const files: string[] = [];
  for (const [index, body] of [batchA(), batchB()].entries()) {
    const folder = join(space.root, 'in', folders[index]!);
    await mkdir(folder, { recursive: true });
    const file = join(folder, names[index]!);
    await writeFile(file, body);
    files.push(file);
  }
  const outs = [space.out('a'), space.out('b')];
  const results = await Promise.all(
    files.map((file, index) =>
      runCli(['pipeline', file, '--out', outs[index]!, '--as-of', AS_OF, '--endpoint', moto.endpoint], {
        tmp: space.tmp,
        timeoutMs: 80_000,
      }),
    ),
  );
  for (const result of results) expect(result.code, describeRun(result)).toBe(0);
  const reports = await Promise.all(outs.map((out) => readReport(out)));
  for (const [index, report] of reports.entries()) {
    expect(report.summary.status).toBe('complete');
    // Each run hears its own report's notice: neither takes the other's off a shared queue.
    expect(results[index]!.stderr).toContain('"report ready" notice');
    expect(results[index]!.stderr).toContain(report.summary.batchId);
    expect(accountingProblems(report)).toEqual([]);
    expect(report.summary.source.sha256, `report ${index} is of its own batch`).toBe(
      sha256(await readFile(files[index]!)),
    );
  }
  expect(reports[0]!.summary.counts.lines).toBe(40);
  expect(reports[0]!.findings.filter((finding) => finding.rule_id === 'BILATERAL_MODIFIER')).toHaveLength(40);
  expect(reports[1]!.summary.counts.lines).toBe(7);
  expect(reports[1]!.findings.map((finding) => finding.rule_id)).toEqual(Array(7).fill('PRIOR_AUTH_MISSING'));
}

describe.skipIf(!hasMoto)('hostile: pipelines side by side on one endpoint', () => {
  it('two batches with different names at once: each run gets its own report and exits 0', async () => {
    await sideBySide(['first.csv', 'second.csv'], ['one', 'two']);
  }, 90_000);

  it('two batches with the same file name (from different folders) at once: each its own report', async () => {
    await sideBySide(['nightly.csv', 'nightly.csv'], ['one', 'two']);
  }, 90_000);
});

/** Messages received by a poller and not yet deleted, on the endpoint's chunk queue. */
async function chunksInFlight(): Promise<number> {
  const sqs = new SQSClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'scrub62323-chunks' }));
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  } catch {
    return 0; // not created yet
  } finally {
    sqs.destroy();
  }
}

describe.skipIf(!hasMoto)('hostile: a rerun after kill -9', () => {
  it("does not wait for the dead run's messages (invisible for the 12-minute visibility timeout)", async () => {
    const space = await scratch('pipeline-rerun');
    const file = join(space.root, 'in', 'rerun.csv');
    await writeRows(file, 1000, (index) => row(index, { modifiers: '50' }));
    const args = ['pipeline', file, '--as-of', AS_OF, '--endpoint', moto.endpoint, '--chunk-lines', '10'];
    const dead = startCli([...args, '--out', space.out('dead')], { tmp: space.tmp, timeoutMs: 60_000 });
    // Killed while its pollers hold chunk messages: those stay invisible until the visibility timeout.
    const holding = await waitFor(async () => (await chunksInFlight()) > 0, 40_000);
    dead.child.kill('SIGKILL');
    await dead.done;
    expect(holding, 'the first run had chunk messages in flight when it was killed').toBe(true);

    const started = Date.now();
    const rerun = await runCli([...args, '--out', space.out('rerun')], { tmp: space.tmp, timeoutMs: 80_000 });
    expect(rerun.code, describeRun(rerun)).toBe(0);
    expect(Date.now() - started, "well within the dead messages' visibility timeout").toBeLessThan(60_000);
    const report = await readReport(space.out('rerun'));
    expect(report.summary.status).toBe('complete');
    expect(report.summary.counts.lines).toBe(1000);
    expect(accountingProblems(report)).toEqual([]);
    expect(report.summary.source.sha256).toBe(sha256(await readFile(file)));
  }, 120_000);
});

describe.skipIf(!hasMoto)('hostile: looking for its own event on a shared intake queue', () => {
  it("never counts as a receive of another run's event (which would push it into the dead-letter queue)", async () => {
    const pipeline = await LocalPipeline.start({ endpoint: moto.endpoint });
    try {
      const theirs = 'an S3 event of another run';
      await pipeline.publishIntake(theirs);
      const neverUploaded = {
        bucket: pipeline.resources.buckets.intake,
        key: 'incoming/absent.csv',
        eTag: 'e',
        size: 1,
      };
      // Many more lookups than the intake queue's maxReceiveCount (3), as many runs starting at once make.
      for (let lookup = 0; lookup < 3; lookup += 1)
        expect(await pipeline.awaitEndpointEvent(neverUploaded, 600)).toBe('none');
      expect(await pipeline.queueDepth('intakeDlq')).toBe(0);
      const { Messages = [] } = await pipeline.admin.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: pipeline.resources.queues.intake.url,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      // Besides theirs, the s3:TestEvent moto sends when the bucket's notifications are set up.
      const counts = new Map(
        Messages.map((message) => [message.Body, message.Attributes?.ApproximateReceiveCount]),
      );
      expect(counts.get(theirs)).toBe('1');
      expect([...counts.values()]).toEqual(Array(Messages.length).fill('1'));
    } finally {
      await pipeline.stop();
    }
  }, 60_000);
});
