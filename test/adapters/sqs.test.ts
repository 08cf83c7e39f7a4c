import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  batchesOf,
  SendFailedError,
  SQS_BATCH_LIMITS,
  sqsMessageSender,
} from '../../functions/adapters/sqs.js';

const sqs = mockClient(SQSClient);
const sender = sqsMessageSender(new SQSClient({ region: 'us-east-1' }), { sleep: async () => undefined });

afterEach(() => sqs.reset());

describe('batchesOf', () => {
  it('puts at most 10 entries in a batch', () => {
    const batches = batchesOf(Array.from({ length: 23 }, (_, index) => `m${index}`));
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
  });

  it('keeps each batch within the request size limit', () => {
    const big = 'x'.repeat(100 * 1024);
    const batches = batchesOf([big, big, big, 'small']);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2]);
    for (const batch of batches) {
      expect(batch.reduce((sum, body) => sum + Buffer.byteLength(body), 0)).toBeLessThanOrEqual(
        SQS_BATCH_LIMITS.bytes,
      );
    }
  });

  it('refuses a single message over the limit', () => {
    expect(() => batchesOf(['y'.repeat(SQS_BATCH_LIMITS.bytes + 1)])).toThrow(/exceeds/);
  });
});

describe('sqsMessageSender', () => {
  it('retries only the entries SQS reports as Failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: 'm1', Code: 'InternalError', SenderFault: false }] })
      .resolvesOnce({ Successful: [{ Id: 'm1', MessageId: 'x', MD5OfMessageBody: 'x' }], Failed: [] });
    await sender.sendAll('https://queue', ['a', 'b', 'c']);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries);
    expect(calls[0]).toHaveLength(3);
    expect(calls[1]).toEqual([{ Id: 'm1', MessageBody: 'b' }]);
  });

  it('gives up after maxAttempts, and at once on a sender fault', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: 'm0', Code: 'ServiceUnavailable', SenderFault: false }] });
    await expect(sender.sendAll('https://queue', ['a'])).rejects.toBeInstanceOf(SendFailedError);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(5);
    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: 'm0', Code: 'InvalidMessageContents', SenderFault: true }] });
    await expect(sender.sendAll('https://queue', ['a'])).rejects.toThrow(/InvalidMessageContents/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});

describe('sqs errors', () => {
  it('codes what it refuses', async () => {
    expect(() => batchesOf(['y'.repeat(SQS_BATCH_LIMITS.bytes + 1)])).toThrow(
      expect.objectContaining({ code: 'SQS_MESSAGE_TOO_LARGE' }),
    );
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: 'm0', Code: 'InvalidMessageContents', SenderFault: true }],
    });
    await expect(sender.sendAll('https://queue', ['a'])).rejects.toThrow(
      expect.objectContaining({ name: 'SendFailedError', code: 'SQS_SEND_FAILED', failed: 1 }),
    );
  });
});
