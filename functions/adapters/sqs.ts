/**
 * The pipeline's message sender (functions/pipeline/ports.ts) on SQS: SendMessageBatch with at
 * most 10 entries and within the request size limit, retrying the entries SQS reports as Failed.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ScrubError } from '../core/errors.js';
import type { MessageSender } from '../pipeline/ports.js';
import { sleep as wait } from '../pipeline/sleep.js';

/** SQS limits for SendMessageBatch (the classic 256 KiB; newer queues allow more, older ones do not). */
export const SQS_BATCH_LIMITS = { entries: 10, bytes: 256 * 1024 } as const;

export interface SqsSenderOptions {
  /** Attempts per entry before giving up (the first send included). */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Groups bodies into batches that respect both the entry count and the total size. */
export function batchesOf(bodies: readonly string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > SQS_BATCH_LIMITS.bytes) {
      throw new ScrubError(
        'SQS_MESSAGE_TOO_LARGE',
        `a message of ${size} bytes exceeds the SQS limit of ${SQS_BATCH_LIMITS.bytes}`,
      );
    }
    if (current.length === SQS_BATCH_LIMITS.entries || bytes + size > SQS_BATCH_LIMITS.bytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** SQS refused some messages for good; `codes` are SQS's reasons (e.g. InvalidMessageContents). */
export class SendFailedError extends ScrubError {
  constructor(
    readonly failed: number,
    readonly codes: readonly string[],
  ) {
    super('SQS_SEND_FAILED', `SQS did not accept ${failed} message(s) (${codes.join(', ')})`);
    this.name = 'SendFailedError';
  }
}

export function sqsMessageSender(client: SQSClient, options: SqsSenderOptions = {}): MessageSender {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? wait;
  return {
    async sendAll(queueUrl, bodies) {
      for (const batch of batchesOf(bodies)) {
        let pending: SendMessageBatchRequestEntry[] = batch.map((body, index) => ({
          Id: `m${index}`,
          MessageBody: body,
        }));
        for (let attempt = 1; pending.length > 0; attempt += 1) {
          const output = await client.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
          );
          const failed = output.Failed ?? [];
          if (failed.length === 0) break;
          // A sender fault (bad entry) will fail again: stop at once. Others (throttling, service) are retried.
          const senderFault = failed.some((entry) => entry.SenderFault);
          if (senderFault || attempt >= maxAttempts) {
            throw new SendFailedError(failed.length, [
              ...new Set(failed.map((entry) => entry.Code ?? 'unknown')),
            ]);
          }
          const retry = new Set(failed.map((entry) => entry.Id));
          pending = pending.filter((entry) => retry.has(entry.Id));
          await sleep(Math.min(2000, 50 * 2 ** attempt));
        }
      }
    },
  };
}
