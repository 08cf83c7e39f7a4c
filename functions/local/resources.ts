/**
 * The pipeline's buckets, queues and topic on an emulator or any S3/SQS/SNS-compatible endpoint, with
 * the names, dead-letter queues, maxReceiveCount and visibility timeouts the CDK stack uses (all from
 * topology.ts), plus a "watch" queue of the run's own subscribed to the report-ready topic so the
 * runner hears when a report is done.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  BUCKETS,
  dlqName,
  FUNCTIONS,
  type FunctionSizing,
  PREFIX,
  QUEUES,
  type QueueDefinition,
  TOPICS,
  visibilityTimeoutSeconds,
} from '../pipeline/topology.js';

export interface AwsClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  /** On the history's endpoint: the embedded DynamoDB emulator's own port, or the endpoint's. */
  readonly dynamodb: DynamoDBClient;
}

export interface ClientSettings {
  readonly endpoint: string;
  readonly region: string;
  /** Where DynamoDB is, when not at `endpoint` (the embedded emulator listens on a port of its own). */
  readonly dynamodbEndpoint?: string;
}

export function createClients(settings: ClientSettings): AwsClients {
  const common = {
    endpoint: settings.endpoint,
    region: settings.region,
    // Emulators accept any key; a real endpoint gets the usual credential chain.
    ...(process.env.AWS_ACCESS_KEY_ID
      ? {}
      : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    sns: new SNSClient(common),
    dynamodb: new DynamoDBClient({ ...common, endpoint: settings.dynamodbEndpoint ?? settings.endpoint }),
  };
}

export interface QueueRef {
  readonly url: string;
  readonly arn: string;
}

export interface PipelineResources {
  readonly buckets: { readonly intake: string; readonly work: string; readonly reports: string };
  readonly queues: {
    readonly intake: QueueRef;
    readonly intakeDlq: QueueRef;
    readonly chunk: QueueRef;
    readonly chunkDlq: QueueRef;
    readonly merge: QueueRef;
    readonly mergeDlq: QueueRef;
    /** This run's alone: runs side by side on one endpoint each hear every notice. */
    readonly watch: QueueRef;
  };
  readonly reportTopicArn: string;
  /** The watch queue's subscription, removed with the queue when the run stops. */
  readonly watchSubscriptionArn?: string;
  /** The member history table merge reads and records (HISTORY_TABLE); none: a run without history. */
  readonly historyTable?: string;
}

const DAY_SECONDS = 86_400;
/** A run killed before it removes its watch queue leaves one that keeps notices for minutes only. */
const WATCH_RETENTION_SECONDS = 300;
const watchQueueName = (): string => `${TOPICS.reportReady}-watch-${randomBytes(6).toString('hex')}`;

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<QueueRef> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl!;
  const described = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: described.Attributes!.QueueArn! };
}

async function queueWithDlq(
  sqs: SQSClient,
  queue: QueueDefinition,
  consumer: FunctionSizing,
): Promise<{ queue: QueueRef; dlq: QueueRef }> {
  const dlq = await createQueue(sqs, dlqName(queue), {
    MessageRetentionPeriod: String(queue.dlqRetentionDays * DAY_SECONDS),
  });
  const main = await createQueue(sqs, queue.name, {
    VisibilityTimeout: String(visibilityTimeoutSeconds(queue, consumer)),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: queue.maxReceiveCount }),
  });
  return { queue: main, dlq };
}

async function createBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
  }
}

/**
 * Versions the intake bucket, as the stack does: every upload is then an object version of its own,
 * so uploads of one file name by runs side by side (or a rerun) are separate batches. An endpoint that
 * keeps no versions (the embedded emulator) gives none: batches are then told apart by ETag.
 */
async function versionBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  } catch {
    // not supported here: the ETag names the upload instead
  }
}

export async function provision(clients: AwsClients): Promise<PipelineResources> {
  await Promise.all(Object.values(BUCKETS).map((name) => createBucket(clients.s3, name)));
  await versionBucket(clients.s3, BUCKETS.intake);
  const intake = await queueWithDlq(clients.sqs, QUEUES.intake, FUNCTIONS.split);
  const chunk = await queueWithDlq(clients.sqs, QUEUES.chunk, FUNCTIONS.validate);
  const merge = await queueWithDlq(clients.sqs, QUEUES.merge, FUNCTIONS.merge);
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: TOPICS.reportReady }));
  const watch = await createQueue(clients.sqs, watchQueueName(), {
    MessageRetentionPeriod: String(WATCH_RETENTION_SECONDS),
  });
  const subscription = await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn!,
      Protocol: 'sqs',
      Endpoint: watch.arn,
      Attributes: { RawMessageDelivery: 'true' },
      ReturnSubscriptionArn: true,
    }),
  );
  return {
    buckets: { ...BUCKETS },
    queues: {
      intake: intake.queue,
      intakeDlq: intake.dlq,
      chunk: chunk.queue,
      chunkDlq: chunk.dlq,
      merge: merge.queue,
      mergeDlq: merge.dlq,
      watch,
    },
    reportTopicArn: topic.TopicArn!,
    ...(subscription.SubscriptionArn ? { watchSubscriptionArn: subscription.SubscriptionArn } : {}),
  };
}

/** Removes the run's watch queue and its subscription; what cannot be removed expires by itself. */
export async function removeWatch(clients: AwsClients, resources: PipelineResources): Promise<void> {
  const arn = resources.watchSubscriptionArn;
  await Promise.allSettled([
    ...(arn ? [clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }))] : []),
    clients.sqs.send(new DeleteQueueCommand({ QueueUrl: resources.queues.watch.url })),
  ]);
}

/**
 * Asks the endpoint to notify the intake queue of uploads, as the stack configures S3. Returns false
 * when the endpoint does not support notification configuration (the runner then publishes events).
 */
export async function configureUploadNotifications(
  clients: AwsClients,
  resources: PipelineResources,
): Promise<boolean> {
  try {
    await clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: resources.buckets.intake,
        NotificationConfiguration: {
          // The whole prefix, as the stack configures it: split answers every upload, batch or not.
          QueueConfigurations: [
            {
              QueueArn: resources.queues.intake.arn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: PREFIX.incoming }] } },
            },
          ],
        },
      }),
    );
    return true;
  } catch {
    return false;
  }
}
