/** Function threads: a batch goes to the thread and back; a thread that dies fails its batch only. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsHandler } from '../../../functions/local/event-source.js';
import {
  lambdaEventOf,
  ThreadRequestSchema,
  threadedFunctions,
} from '../../../functions/local/function-threads.js';

let folder: string;
const setup = {
  values: { WORK_BUCKET: 'work' },
  clients: { endpoint: 'http://127.0.0.1:1', region: 'us-east-1' },
  logLevel: 'SILENT' as const,
};
const event = (ids: string[]) => ({ Records: ids.map((messageId) => ({ messageId })) }) as never;

/** A stand-in thread: fails the records named "bad", exits on "exit", answers the rest. */
const SCRIPT = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, event }) => {
  const ids = event.Records.map((record) => record.messageId);
  if (ids.includes('exit')) process.exit(3);
  if (ids.includes('throw')) return parentPort.postMessage({ id, error: 'handler threw' });
  if (ids.includes('then-exit')) setTimeout(() => process.exit(0), 10);
  if (ids.includes('garbage')) return parentPort.postMessage({ id, nonsense: true });
  if (ids.includes('hang')) return;
  parentPort.postMessage({ id, response: { batchItemFailures: ids.filter((i) => i === 'bad').map((itemIdentifier) => ({ itemIdentifier })) } });
});
`;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'scrub62323-threads-'));
  await writeFile(join(folder, 'thread.mjs'), SCRIPT);
  await writeFile(join(folder, 'broken.mjs'), "throw new Error('cannot start');\n");
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Runs `use` with an environment of `fn` on threads of `script`, and ends the threads after. */
async function withThreads(
  script: string,
  fn: 'validate' | 'merge',
  use: (handler: SqsHandler) => Promise<void>,
): Promise<void> {
  const threads = threadedFunctions(pathToFileURL(join(folder, script)), setup);
  try {
    await use(threads.create(fn));
  } finally {
    await threads.close();
  }
}

describe('function threads', () => {
  it('hand each batch to the thread and its partial batch response back', async () => {
    await withThreads('thread.mjs', 'validate', async (handler) => {
      await expect(handler(event(['a', 'bad']))).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: 'bad' }],
      });
      await expect(handler(event(['throw']))).rejects.toThrow('handler threw');
    });
  });

  it('fail the batch of a thread that dies, and start a new thread for the next one', async () => {
    await withThreads('thread.mjs', 'validate', async (handler) => {
      await expect(handler(event(['exit']))).rejects.toMatchObject({ code: 'FUNCTION_THREAD' });
      await expect(handler(event(['a']))).resolves.toEqual({ batchItemFailures: [] });
    });
  });

  it('replace a thread that stopped between two batches', async () => {
    await withThreads('thread.mjs', 'merge', async (handler) => {
      await expect(handler(event(['then-exit']))).resolves.toEqual({ batchItemFailures: [] });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(handler(event(['a']))).resolves.toEqual({ batchItemFailures: [] });
    });
  });

  it('fail a batch whose thread cannot start, saying why, and refuse a script that is not there', async () => {
    await withThreads('broken.mjs', 'validate', async (handler) => {
      await expect(handler(event(['a']))).rejects.toThrow(/stopped .*cannot start/);
    });
    expect(() => threadedFunctions(pathToFileURL(join(folder, 'missing.mjs')), setup)).toThrow(
      expect.objectContaining({ code: 'FUNCTION_THREAD', message: expect.stringMatching(/missing/) }),
    );
  });

  it('fail a batch whose reply is unreadable, and one still at work when the threads are closed', async () => {
    await withThreads('thread.mjs', 'validate', async (handler) => {
      await expect(handler(event(['garbage']))).rejects.toMatchObject({ code: 'FUNCTION_THREAD' });
    });
    const failures: string[] = [];
    const threads = threadedFunctions(pathToFileURL(join(folder, 'thread.mjs')), setup, (_fn, problem) =>
      failures.push(problem),
    );
    const pending = threads.create('merge')(event(['hang']));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await threads.close();
    await expect(pending).rejects.toMatchObject({ code: 'FUNCTION_THREAD' });
    expect(failures).toEqual([]); // closing is no failure
  });

  it('tell the listener when a thread dies', async () => {
    const failures: string[] = [];
    const threads = threadedFunctions(pathToFileURL(join(folder, 'thread.mjs')), setup, (fn, problem) =>
      failures.push(`${fn}: ${problem}`),
    );
    try {
      await expect(threads.create('validate')(event(['exit']))).rejects.toThrow(/exit code 3/);
      expect(failures).toEqual(['validate: a validate thread stopped (exit code 3)']);
    } finally {
      await threads.close();
    }
  });

  it('hand the handler the event as aws-lambda types it', () => {
    const record = {
      messageId: 'm1',
      receiptHandle: 'r1',
      body: '{}',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1',
        SenderId: 's',
        ApproximateFirstReceiveTimestamp: '1',
      },
      messageAttributes: { kind: { dataType: 'String', stringValue: 'chunk', binaryValue: null } },
      md5OfBody: 'x',
      md5OfMessageAttributes: null,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    };
    const checked = ThreadRequestSchema.parse({ id: 1, event: { Records: [record] } });
    const [converted] = lambdaEventOf(checked.event).Records;
    expect(converted).toMatchObject({ messageId: 'm1', receiptHandle: 'r1', body: '{}' });
    expect(converted!.attributes.ApproximateReceiveCount).toBe('2');
    expect(converted!.messageAttributes).toEqual({ kind: { dataType: 'String', stringValue: 'chunk' } });
    expect(converted).not.toHaveProperty('md5OfMessageAttributes');
  });

  it('refuse a setup that is not one', () => {
    expect(() =>
      threadedFunctions(new URL('file:///unused'), { ...setup, logLevel: 'LOUD' as never }),
    ).toThrow();
  });
});
