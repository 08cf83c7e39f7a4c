/**
 * What the runner reads off the queues while it drains them: how many messages each holds, the
 * "report ready" notices on the watch queue, and, when a run cannot finish, which queue says why.
 */
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { decodeReportReady, type ReportReady } from '../pipeline/notice.js';
import type { PipelineResources } from './resources.js';

export type QueueName = keyof PipelineResources['queues'];

/** Messages in a queue: visible, in flight and delayed. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Moves every notice waiting on the watch queue into `notices`. */
export async function collectNotices(
  sqs: SQSClient,
  watchUrl: string,
  notices: ReportReady[],
): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: watchUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return;
    for (const message of Messages) {
      try {
        notices.push(decodeReportReady(message.Body ?? ''));
      } catch {
        // not ours: the watch queue only hears the report-ready topic
      }
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: watchUrl,
        Entries: Messages.map((message, index) => ({
          Id: `w${index}`,
          ReceiptHandle: message.ReceiptHandle!,
        })),
      }),
    );
  }
}

/**
 * Up to ten bodies from a queue, left visible to everyone else (visibility timeout 0): how the runner
 * looks for its own messages in a dead-letter queue it may share with other runs.
 */
export async function peekBodies(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
    }),
  );
  return Messages.map((message) => message.Body ?? '');
}

/** Up to ten messages, hidden from everyone else for a few seconds (then visible again by themselves). */
export async function receiveBriefly(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 5,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/**
 * Puts received messages back as fresh copies (sent anew, then the received ones deleted). Making them
 * visible again would not do: every receive counts towards the queue's maxReceiveCount, so runs that
 * look through a shared queue for their own message would, between them, push another run's healthy
 * message into the dead-letter queue. A copy starts its count again; the price is that a message
 * already failing may get a retry more than its redrive policy allows, which loses nothing.
 */
export async function requeueMessages(sqs: SQSClient, queueUrl: string, messages: readonly Message[]) {
  if (messages.length === 0) return;
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({
        Id: `c${index}`,
        MessageBody: message.Body ?? '',
        ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
      })),
    }),
  );
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle! })),
    }),
  );
}

export async function deleteMessage(sqs: SQSClient, queueUrl: string, message: Message): Promise<void> {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
}

type DepthOf = (queue: QueueName) => Promise<number>;

/** The depths of the work queues and their dead-letter queues, for an error message. */
export async function describeQueues(depthOf: DepthOf): Promise<string> {
  const depths = await Promise.all(
    (['intake', 'intakeDlq', 'chunk', 'chunkDlq', 'merge', 'mergeDlq'] as const).map(
      async (queue) => `${queue} ${await depthOf(queue)}`,
    ),
  );
  return `messages: ${depths.join(', ')}`;
}

/** Why queues that went idle left no report: what the dead-letter queues hold. */
export async function stalledReason(depthOf: DepthOf): Promise<string> {
  if ((await depthOf('intakeDlq')) > 0) {
    return 'the upload could not be split: its event is in the intake dead-letter queue (see the split logs)';
  }
  if ((await depthOf('chunkDlq')) > 0) {
    return 'chunks failed and no report was written: see the chunk dead-letter queue and the validate logs';
  }
  if ((await depthOf('mergeDlq')) > 0) {
    return 'a merge shard failed and no report was written: see the merge dead-letter queue and the merge logs';
  }
  return `the queues are idle but no report arrived (${await describeQueues(depthOf)})`;
}
