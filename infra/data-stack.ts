import { Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  BUCKETS,
  FUNCTIONS,
  type FunctionName,
  PREFIX,
  QUEUES,
  type QueueDefinition,
  WORK_EXPIRY_DAYS,
} from '../functions/pipeline/topology.js';
import type { StackConfig } from './config.js';
import { AccessLogBucket, DataBucket } from './constructs/data-bucket.js';
import { currentVersionRule, NONCURRENT_VERSION_DAYS } from './constructs/data-bucket-defaults.js';
import { HistoryTable } from './constructs/history-table.js';
import { LeastPrivilegePolicy } from './constructs/least-privilege-policy.js';
import { NotificationTopic } from './constructs/notification-topic.js';
import { AuditorPolicy, BillingUploaderPolicy, HistoryAdminPolicy } from './constructs/people-policies.js';
import { QueueFedFunctionState } from './constructs/queue-fed-function.js';
import { StageKeys } from './constructs/stage-keys.js';
import {
  dataKeyStatement,
  listStatement,
  objectStatement,
  publishStatement,
  sendStatement,
  serviceKeyStatement,
  tableKeyStatement,
  tableStatement,
} from './constructs/statements.js';

export interface Scrub62323DataStackProps extends StackProps {
  readonly config: StackConfig;
}

/**
 * `Scrub62323-<stage>-data`: everything that holds data or decides who may touch it. Buckets, the history
 * table, keys and log groups are retained; the queues and topics keep waiting messages and confirmed
 * subscriptions across a redeploy of the code; roles and least-privilege policies sit beside what they grant.
 *
 * Why the queues, topics and roles are here and not in the stateless stack: a policy, and the S3 event
 * notification, can only reference resources of their own template without a cross-stack cycle. The
 * intake bucket notifies its queue natively (no custom resource), so that queue lives with the bucket;
 * each function's single managed policy names its bucket prefixes, queues, topic and log group, so they
 * live with it. This stack references nothing of the stateless one; the stateless stack imports its values.
 */
export class Scrub62323DataStack extends Stack {
  readonly keys: { data: kms.Key; messaging: kms.Key; logs: kms.Key };
  readonly buckets: { intake: DataBucket; reports: DataBucket; work: DataBucket; accessLogs: s3.Bucket };
  /** Member history: sessions of earlier batches, read and recorded by merge (each shard, its members). */
  readonly historyTable: dynamodb.Table;
  readonly queues: {
    intake: sqs.Queue;
    intakeDlq: sqs.Queue;
    chunk: sqs.Queue;
    chunkDlq: sqs.Queue;
    merge: sqs.Queue;
    mergeDlq: sqs.Queue;
  };
  readonly topics: { reportReady: sns.Topic; alarm: sns.Topic };
  /** Queue, log group and role of each function; its code is in the stateless stack. */
  readonly functionStates: Record<FunctionName, QueueFedFunctionState>;
  /** The one managed policy of each function's role. */
  readonly functionPolicies: Record<FunctionName, iam.ManagedPolicy>;
  readonly peoplePolicies: {
    billingUploader: iam.ManagedPolicy;
    auditor: iam.ManagedPolicy;
    historyAdmin: iam.ManagedPolicy;
  };

  private readonly config: StackConfig;

  constructor(scope: Construct, id: string, props: Scrub62323DataStackProps) {
    super(scope, id, { terminationProtection: props.config.terminationProtection ?? false, ...props });
    this.config = props.config;
    const { stage, reportRetentionDays } = this.config;
    Tags.of(this).add('project', 'scrub62323');
    Tags.of(this).add('stage', stage);
    Tags.of(this).add('data-classification', 'phi');

    const { data, messaging, logs } = new StageKeys(this, 'Keys', { stage });
    this.keys = { data, messaging, logs };

    // Storage.
    const accessLogs = new AccessLogBucket(this, 'AccessLogBucket', { retentionDays: reportRetentionDays });
    const bucket = (bucketId: string, stem: string, lifecycleRules: s3.LifecycleRule[]) =>
      new DataBucket(this, bucketId, { stem, stage, encryptionKey: data, accessLogs, lifecycleRules });
    // Uploads are the source of the reports: kept exactly as long.
    const intake = bucket('IntakeBucket', BUCKETS.intake, [
      currentVersionRule('uploads', reportRetentionDays),
    ]);
    const reports = bucket('ReportsBucket', BUCKETS.reports, [
      currentVersionRule('reports', reportRetentionDays),
    ]);
    const work = bucket('WorkBucket', BUCKETS.work, [
      {
        id: 'work-files',
        prefix: PREFIX.work,
        expiration: Duration.days(WORK_EXPIRY_DAYS),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      // history/ feeds FREQUENCY_EXCEEDED across batches, packs/ holds the rule packs: neither
      // expires, only their old versions do.
      ...[PREFIX.history, PREFIX.packs].map((prefix) => ({
        id: prefix.replace(/\/$/, ''),
        prefix,
        noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      })),
    ]);
    this.buckets = { intake, reports, work, accessLogs };
    const history = new HistoryTable(this, 'HistoryTable', { stage, encryptionKey: data });
    this.historyTable = history;

    // Messaging.
    const reportReady = new NotificationTopic(this, 'ReportReadyTopic', {
      displayName: 'scrub62323 report ready',
      stage,
      masterKey: messaging,
      email: this.config.reportEmail,
    });
    const alarm = new NotificationTopic(this, 'AlarmTopic', {
      displayName: 'scrub62323 alarms',
      stage,
      masterKey: messaging,
      email: this.config.alertEmail,
    });
    alarm.allowCloudWatchAlarms();
    this.topics = { reportReady, alarm };

    const split = this.functionState('split', QUEUES.intake);
    const validate = this.functionState('validate', QUEUES.chunk);
    const merge = this.functionState('merge', QUEUES.merge);
    // Every object under incoming/, whatever its name: split answers one that is no batch file with a
    // rejected report and a notice (a suffix filter would leave such an upload unanswered).
    intake.notifyOnUpload(split.queue, { prefix: PREFIX.incoming });
    this.functionStates = { split, validate, merge };
    this.queues = {
      intake: split.queue,
      intakeDlq: split.deadLetterQueue,
      chunk: validate.queue,
      chunkDlq: validate.deadLetterQueue,
      merge: merge.queue,
      mergeDlq: merge.deadLetterQueue,
    };

    // What each function may do, beyond writing its logs and consuming its queue.
    this.functionPolicies = {
      split: this.functionPolicy('split', split, [
        // GetObjectVersion: split reads exactly the version the S3 event announced.
        objectStatement('ReadUploads', ['s3:GetObject', 's3:GetObjectVersion'], intake, [PREFIX.incoming]),
        listStatement('ListUploads', intake),
        // Reads back its own manifest and "dispatched" marker to make redelivered events idempotent.
        objectStatement('ReadWriteWorkFiles', WORK_FILE_ACTIONS, work, [PREFIX.work]),
        // Rule packs: read when a batch is split, copied into its manifest; people maintain packs/.
        objectStatement('ReadRulePacks', ['s3:GetObject'], work, [PREFIX.packs]),
        listStatement('ListWorkFiles', work),
        dataKeyStatement(data, ['kms:Decrypt'], [intake]),
        dataKeyStatement(data, ['kms:GenerateDataKey', 'kms:Decrypt'], [work]),
        sendStatement('SendChunks', validate.queue),
        // A large upload's byte ranges go back on split's own queue, one message per range.
        sendStatement('SendByteRanges', split.queue),
        serviceKeyStatement('SendChunksEncrypted', messaging, ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs'),
      ]),
      validate: this.functionPolicy('validate', validate, [
        objectStatement('ReadWriteWorkFiles', WORK_FILE_ACTIONS, work, [PREFIX.work]),
        listStatement('ListWorkFiles', work),
        dataKeyStatement(data, ['kms:GenerateDataKey', 'kms:Decrypt'], [work]),
        sendStatement('SendMergeShards', merge.queue),
        serviceKeyStatement(
          'SendMergeShardsEncrypted',
          messaging,
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          'sqs',
        ),
      ]),
      merge: this.functionPolicy('merge', merge, [
        // Reads parts (ranged GETs), plans and shard results; writes shard results, locks and markers.
        objectStatement('ReadWriteWorkFiles', WORK_FILE_ACTIONS, work, [PREFIX.work]),
        // Prior sessions for FREQUENCY_EXCEEDED: read only; people maintain history/.
        objectStatement('ReadHistory', ['s3:GetObject'], work, [PREFIX.history]),
        listStatement('ListWorkFiles', work),
        objectStatement('WriteReports', ['s3:PutObject', 's3:AbortMultipartUpload'], reports, [
          PREFIX.reports,
        ]),
        dataKeyStatement(data, ['kms:GenerateDataKey', 'kms:Decrypt'], [work, reports]),
        // Member history: one Query per member looked up, BatchWriteItem to record (the adapter calls nothing
        // else). Each shard reads and records its own members. The only function that touches the table.
        tableStatement('ReadWriteMemberHistory', ['dynamodb:Query', 'dynamodb:BatchWriteItem'], history),
        tableKeyStatement('ReadWriteMemberHistoryEncrypted', data, ['kms:Decrypt'], history),
        // The last shard sends the report's line ranges back to this queue, one render each.
        sendStatement('SendRenderRanges', merge.queue),
        serviceKeyStatement(
          'SendRenderRangesEncrypted',
          messaging,
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          'sqs',
        ),
        publishStatement('PublishReportReady', reportReady),
        serviceKeyStatement(
          'PublishReportReadyEncrypted',
          messaging,
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          'sns',
        ),
      ]),
    };

    this.peoplePolicies = {
      billingUploader: new BillingUploaderPolicy(this, 'BillingUploaderPolicy', {
        stage,
        dataKey: data,
        intakeBucket: intake,
        reportsBucket: reports,
      }),
      auditor: new AuditorPolicy(this, 'AuditorPolicy', { stage, dataKey: data, reportsBucket: reports }),
      historyAdmin: new HistoryAdminPolicy(this, 'HistoryAdminPolicy', {
        stage,
        dataKey: data,
        historyTable: history,
      }),
    };
  }

  private functionState(name: FunctionName, queue: QueueDefinition): QueueFedFunctionState {
    return new QueueFedFunctionState(this, constructId(name), {
      queue,
      consumer: FUNCTIONS[name],
      queueKey: this.keys.messaging,
      logGroupName: `/scrub62323/${this.config.stage}/${name}`,
      logKey: this.keys.logs,
      roleDescription: `scrub62323 ${this.config.stage} ${name} function`,
    });
  }

  /** Every permission of a function in one customer-managed policy (HIPAA.Security-IAMNoInlinePolicy). */
  private functionPolicy(
    name: FunctionName,
    state: QueueFedFunctionState,
    statements: iam.PolicyStatement[],
  ): iam.ManagedPolicy {
    return new LeastPrivilegePolicy(this, `${constructId(name)}Policy`, {
      description: `scrub62323 ${this.config.stage} ${name} function: least privilege`,
      roles: [state.role],
      statements: [...state.baseStatements(), ...statements],
      wildcardReason:
        'Object ARNs scoped to the key prefixes this function owns; S3 object permissions need a trailing *.',
    });
  }
}

/**
 * Work files are read and written; a write above 8 MiB goes up in parts, and a failed one is
 * aborted (else its parts wait a day for the lifecycle rule).
 */
const WORK_FILE_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'];

/** `split` -> `Split`: the construct id of a function's parts in both stacks. */
export const constructId = (name: FunctionName): string => name.charAt(0).toUpperCase() + name.slice(1);
