import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  BATCH_SUFFIXES,
  BUCKETS,
  dlqName,
  type EnvName,
  FUNCTIONS,
  type FunctionSizing,
  PREFIX,
  QUEUES,
  type QueueDefinition,
  visibilityTimeoutSeconds,
  WORK_EXPIRY_DAYS,
} from '../functions/pipeline/topology.js';
import type { StackConfig } from './config.js';
import { acknowledge, acknowledgeWildcardResources } from './nag.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const handlerEntry = (name: string): string =>
  fileURLToPath(new URL(`../functions/handlers/${name}.ts`, import.meta.url));

/** Old object versions (overwrites, deletes) are kept this long so a mistake can be undone. */
const NONCURRENT_VERSION_DAYS = 30;
/** Function logs may quote claim fields on errors: encrypted, and kept a year for incident review. */
const FUNCTION_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;
/** SQS publishes metrics at 5-minute granularity when a queue is idle; a shorter period would flap. */
const ALARM_PERIOD = Duration.minutes(5);

type FunctionName = keyof typeof FUNCTIONS;
type Environment = Partial<Record<EnvName, string>>;

export interface Scrub62323StackProps extends StackProps {
  readonly config: StackConfig;
}

/** Intake bucket -> intake queue -> split -> chunk queue -> validate -> reports bucket + "report ready" topic. */
export class Scrub62323Stack extends Stack {
  readonly buckets: { intake: s3.Bucket; reports: s3.Bucket; work: s3.Bucket; accessLogs: s3.Bucket };
  readonly queues: { intake: sqs.Queue; intakeDlq: sqs.Queue; chunk: sqs.Queue; chunkDlq: sqs.Queue };
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly topics: { reportReady: sns.Topic; alarm: sns.Topic };
  readonly keys: { data: kms.Key; messaging: kms.Key; logs: kms.Key };
  readonly peoplePolicies: { billingUploader: iam.ManagedPolicy; auditor: iam.ManagedPolicy };

  private readonly config: StackConfig;

  constructor(scope: Construct, id: string, props: Scrub62323StackProps) {
    super(scope, id, props);
    this.config = props.config;
    const { stage, reportRetentionDays } = this.config;
    Tags.of(this).add('project', 'scrub62323');
    Tags.of(this).add('stage', stage);
    Tags.of(this).add('data-classification', 'phi');

    // Keys. Buckets and queues get separate keys: the S3 service's grant on the queue key stays off the
    // data key, and bucket -> queue -> key -> bucket dependency cycles (cfn-lint E3004) cannot arise.
    // The data key outlives the stack with the buckets it decrypts.
    this.keys = {
      data: this.key('DataKey', 'data', 'S3 objects: uploads, work files, reports', RemovalPolicy.RETAIN),
      messaging: this.key('MessagingKey', 'messaging', 'SQS queues and SNS topics', RemovalPolicy.DESTROY),
      logs: this.key('LogsKey', 'logs', 'CloudWatch Logs of the pipeline functions', RemovalPolicy.RETAIN),
    };
    this.allowServiceUseOfKeys();

    // Storage.
    const accessLogs = this.accessLogBucket(reportRetentionDays);
    const intake = this.dataBucket('IntakeBucket', BUCKETS.intake, accessLogs, [
      // Uploads are the source of the reports: kept exactly as long.
      this.currentVersionRule('uploads', reportRetentionDays),
    ]);
    const reports = this.dataBucket('ReportsBucket', BUCKETS.reports, accessLogs, [
      this.currentVersionRule('reports', reportRetentionDays),
    ]);
    const work = this.dataBucket('WorkBucket', BUCKETS.work, accessLogs, [
      {
        id: 'work-files',
        prefix: PREFIX.work,
        expiration: Duration.days(WORK_EXPIRY_DAYS),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
      // history/ feeds FREQUENCY_EXCEEDED across batches: never expires, only its old versions do.
      {
        id: 'history',
        prefix: PREFIX.history,
        noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ]);

    // Messaging.
    const intakeQueues = this.queueWithDlq(QUEUES.intake, FUNCTIONS.split);
    const chunkQueues = this.queueWithDlq(QUEUES.chunk, FUNCTIONS.validate);
    this.notifyOnUpload(intake, intakeQueues.queue);
    const reportTopic = this.topic('ReportReadyTopic', 'scrub62323 report ready', this.config.reportEmail);
    const alarmTopic = this.topic('AlarmTopic', 'scrub62323 alarms', this.config.alertEmail);
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );

    // Compute.
    const split = this.pipelineFunction('split', {
      description: 'Splits an uploaded CPT 62323 claim batch into chunks',
      queue: intakeQueues.queue,
      environment: {
        WORK_BUCKET: work.bucketName,
        CHUNK_QUEUE_URL: chunkQueues.queue.queueUrl,
        LOG_LEVEL: this.config.logLevel,
      },
      statements: [
        // GetObjectVersion: split reads exactly the version the S3 event announced.
        objectStatement('ReadUploads', ['s3:GetObject', 's3:GetObjectVersion'], intake, [PREFIX.incoming]),
        listStatement('ListUploads', intake),
        // Reads back its own manifest and "dispatched" marker to make redelivered events idempotent.
        objectStatement('ReadWriteWorkFiles', ['s3:GetObject', 's3:PutObject'], work, [PREFIX.work]),
        listStatement('ListWorkFiles', work),
        this.dataKeyStatement(['kms:Decrypt'], [intake]),
        this.dataKeyStatement(['kms:GenerateDataKey', 'kms:Decrypt'], [work]),
        new iam.PolicyStatement({
          sid: 'SendChunks',
          actions: ['sqs:SendMessage'],
          resources: [chunkQueues.queue.queueArn],
        }),
        this.messagingKeyStatement('SendChunksEncrypted', ['kms:GenerateDataKey', 'kms:Decrypt'], 'sqs'),
      ],
    });
    const validate = this.pipelineFunction('validate', {
      description: 'Checks a chunk of CPT 62323 claims; the last chunk merges the batch report',
      queue: chunkQueues.queue,
      environment: {
        WORK_BUCKET: work.bucketName,
        REPORTS_BUCKET: reports.bucketName,
        CHUNK_MAX_RECEIVE_COUNT: String(QUEUES.chunk.maxReceiveCount),
        REPORT_TOPIC_ARN: reportTopic.topicArn,
        LOG_LEVEL: this.config.logLevel,
      },
      statements: [
        objectStatement('ReadWriteWorkFiles', ['s3:GetObject', 's3:PutObject'], work, [PREFIX.work]),
        // Prior sessions for FREQUENCY_EXCEEDED: read only; people maintain history/.
        objectStatement('ReadHistory', ['s3:GetObject'], work, [PREFIX.history]),
        listStatement('ListWorkFiles', work),
        objectStatement('WriteReports', ['s3:PutObject'], reports, [PREFIX.reports]),
        this.dataKeyStatement(['kms:GenerateDataKey', 'kms:Decrypt'], [work, reports]),
        new iam.PolicyStatement({
          sid: 'PublishReportReady',
          actions: ['sns:Publish'],
          resources: [reportTopic.topicArn],
        }),
        this.messagingKeyStatement(
          'PublishReportReadyEncrypted',
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          'sns',
        ),
      ],
    });

    // Access for people: attach these to the billing and auditor IAM groups or SSO permission sets.
    const uploaderPolicy = this.peoplePolicy('BillingUploaderPolicy', 'billing-uploader', {
      description: `Upload claim batches to ${PREFIX.incoming} of the scrub62323 ${stage} intake bucket`,
      statements: [
        // AbortMultipartUpload lets `aws s3 cp` clean up a failed large upload; it cannot read or delete.
        objectStatement('UploadBatches', ['s3:PutObject', 's3:AbortMultipartUpload'], intake, [
          PREFIX.incoming,
        ]),
        // Decrypt is needed because `aws s3 cp` uses multipart upload above 8 MB, and S3 decrypts the
        // parts' data key to assemble them. Without s3:GetObject it cannot be used to read anything.
        this.dataKeyStatement(['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], [intake]),
      ],
    });
    const auditorPolicy = this.peoplePolicy('AuditorPolicy', 'auditor', {
      description: `Read reports under ${PREFIX.reports} of the scrub62323 ${stage} reports bucket`,
      statements: [
        objectStatement('ReadReports', ['s3:GetObject'], reports, [PREFIX.reports]),
        listStatement('ListReports', reports, [PREFIX.reports]),
        this.dataKeyStatement(['kms:Decrypt'], [reports]),
      ],
    });

    // Operations.
    const alarmAction = new SnsAction(alarmTopic);
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold: number): void => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
    };
    for (const [name, { dlq }] of [
      ['Intake', intakeQueues],
      ['Chunk', chunkQueues],
    ] as const) {
      alarm(
        `${name}DlqNotEmptyAlarm`,
        `A message reached the ${name.toLowerCase()} dead-letter queue: a batch was not fully processed`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
        1,
      );
    }
    for (const [name, fn] of [
      ['Split', split],
      ['Validate', validate],
    ] as const) {
      alarm(
        `${name}ErrorsAlarm`,
        `The ${name.toLowerCase()} function failed`,
        fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
        1,
      );
    }
    // Older than the time a chunk may legitimately spend being retried: validate is not keeping up.
    const chunkAgeLimit =
      visibilityTimeoutSeconds(QUEUES.chunk, FUNCTIONS.validate) * QUEUES.chunk.maxReceiveCount;
    alarm(
      'ChunkQueueAgeAlarm',
      `The oldest chunk has waited ${chunkAgeLimit} s or more: validation is stuck or too slow`,
      chunkQueues.queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      chunkAgeLimit,
    );

    this.buckets = { intake, reports, work, accessLogs };
    this.queues = {
      intake: intakeQueues.queue,
      intakeDlq: intakeQueues.dlq,
      chunk: chunkQueues.queue,
      chunkDlq: chunkQueues.dlq,
    };
    this.functions = { split, validate };
    this.topics = { reportReady: reportTopic, alarm: alarmTopic };
    this.peoplePolicies = { billingUploader: uploaderPolicy, auditor: auditorPolicy };

    const outputs: Record<string, string> = {
      IntakeBucketName: intake.bucketName,
      ReportsBucketName: reports.bucketName,
      WorkBucketName: work.bucketName,
      AccessLogBucketName: accessLogs.bucketName,
      DataKeyArn: this.keys.data.keyArn,
      IntakeQueueUrl: intakeQueues.queue.queueUrl,
      IntakeDlqUrl: intakeQueues.dlq.queueUrl,
      ChunkQueueUrl: chunkQueues.queue.queueUrl,
      ChunkDlqUrl: chunkQueues.dlq.queueUrl,
      ReportReadyTopicArn: reportTopic.topicArn,
      AlarmTopicArn: alarmTopic.topicArn,
      BillingUploaderPolicyArn: uploaderPolicy.managedPolicyArn,
      AuditorPolicyArn: auditorPolicy.managedPolicyArn,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }

  private key(id: string, purpose: string, description: string, removalPolicy: RemovalPolicy): kms.Key {
    return new kms.Key(this, id, {
      alias: `alias/scrub62323-${this.config.stage}-${purpose}`,
      description: `scrub62323 ${this.config.stage}: ${description}`,
      enableKeyRotation: true,
      removalPolicy,
    });
  }

  /** Service principals that encrypt on the stack's behalf (no IAM role to grant to). */
  private allowServiceUseOfKeys(): void {
    // S3 encrypts event notifications into the SSE-KMS intake queue (policy as in the S3 user guide).
    // The queue policy, not this key policy, limits which bucket may send.
    this.keys.messaging.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3EventNotifications',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.keys.messaging.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // CloudWatch Logs encrypts the function log groups of this account and region only.
    this.keys.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogs',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
  }

  private bucketName(stem: string): string {
    // Deterministic, so policies can name a bucket before it exists (see notifyOnUpload).
    return `${stem}-${this.config.stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
  }

  private accessLogBucket(retentionDays: number): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogBucket', {
      // S3 server access logging can only deliver to SSE-S3 buckets; SSE-KMS is not supported there.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Access logs are the audit trail of PHI access: kept as long as the reports.
      lifecycleRules: [this.currentVersionRule('access-logs', retentionDays)],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(bucket, 'AwsSolutions-S1', 'This is the access log bucket; logging it to itself would loop.');
    acknowledge(bucket, 'HIPAA.Security-S3BucketLoggingEnabled', 'This is the access log bucket itself.');
    acknowledge(
      bucket,
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'S3 server access logging supports only SSE-S3 on the target bucket. The logs hold object keys and ' +
        'requesters, not claim contents; the bucket is private, TLS-only and versioned.',
    );
    this.acknowledgeNoReplication(bucket);
    return bucket;
  }

  private dataBucket(
    id: string,
    stem: string,
    accessLogs: s3.IBucket,
    lifecycleRules: s3.LifecycleRule[],
  ): s3.Bucket {
    const bucket = new s3.Bucket(this, id, {
      bucketName: this.bucketName(stem),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.keys.data,
      // One KMS data key per bucket instead of per object: far fewer KMS calls on big batches.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `${stem}/`,
      lifecycleRules,
      // PHI and its audit trail outlive the stack; see the README, "Teardown".
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.acknowledgeNoReplication(bucket);
    return bucket;
  }

  private acknowledgeNoReplication(bucket: s3.Bucket): void {
    acknowledge(
      bucket,
      'HIPAA.Security-S3BucketReplicationEnabled',
      'Single-region deployment by design. Versioning, RETAIN and noncurrent-version retention protect ' +
        'against deletes; cross-region replication needs a second region and key and is a deployment choice.',
    );
  }

  /** Expires current objects after `days`, old versions after NONCURRENT_VERSION_DAYS. */
  private currentVersionRule(id: string, days: number): s3.LifecycleRule {
    return {
      id,
      expiration: Duration.days(days),
      noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    };
  }

  private queueWithDlq(
    definition: QueueDefinition,
    consumer: FunctionSizing,
  ): { queue: sqs.Queue; dlq: sqs.Queue } {
    const encryption = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.keys.messaging,
      enforceSSL: true,
    } as const;
    const dlq = new sqs.Queue(this, dlqName(definition), {
      ...encryption,
      retentionPeriod: Duration.days(definition.dlqRetentionDays),
    });
    const queue = new sqs.Queue(this, definition.name, {
      ...encryption,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(definition, consumer)),
      deadLetterQueue: { queue: dlq, maxReceiveCount: definition.maxReceiveCount },
    });
    return { queue, dlq };
  }

  /**
   * Uploads under incoming/ ending in a batch suffix notify the intake queue. Set on the CfnBucket
   * (native CloudFormation) rather than `addEventNotification`, which deploys a custom-resource Lambda.
   */
  private notifyOnUpload(bucket: s3.Bucket, queue: sqs.Queue): void {
    // The bucket must wait for the queue policy (S3 validates the destination), so the policy names the
    // bucket by its deterministic ARN instead of referencing it: a reference would be a cycle.
    const bucketArn = this.formatArn({
      service: 's3',
      region: '',
      account: '',
      resource: this.bucketName(BUCKETS.intake),
    });
    const { policyDependable } = queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowIntakeBucketNotifications',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': bucketArn },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: BATCH_SUFFIXES.map((suffix) => ({
        event: 's3:ObjectCreated:*',
        queue: queue.queueArn,
        filter: {
          s3Key: {
            rules: [
              { name: 'prefix', value: PREFIX.incoming },
              { name: 'suffix', value: suffix },
            ],
          },
        },
      })),
    };
    if (policyDependable) cfnBucket.node.addDependency(policyDependable);
  }

  private topic(id: string, displayName: string, email: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, id, {
      displayName: `${displayName} (${this.config.stage})`,
      masterKey: this.keys.messaging,
      enforceSSL: true,
    });
    // Email leaves AWS unencrypted: messages carry batch ids and report locations, never claim data.
    if (email) topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  private pipelineFunction(
    name: FunctionName,
    props: {
      description: string;
      queue: sqs.Queue;
      environment: Environment;
      statements: iam.PolicyStatement[];
    },
  ): NodejsFunction {
    const sizing = FUNCTIONS[name];
    const id = name.charAt(0).toUpperCase() + name.slice(1);
    const logGroup = new logs.LogGroup(this, `${id}LogGroup`, {
      logGroupName: `/scrub62323/${this.config.stage}/${name}`,
      retention: FUNCTION_LOG_RETENTION,
      encryptionKey: this.keys.logs,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `scrub62323 ${this.config.stage} ${name} function`,
    });
    const consume = new iam.PolicyStatement({
      sid: 'ConsumeQueue',
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: [props.queue.queueArn],
    });
    // Every permission lives in this one customer-managed policy (HIPAA.Security-IAMNoInlinePolicy).
    const policy = new iam.ManagedPolicy(this, `${id}Policy`, {
      description: `scrub62323 ${this.config.stage} ${name} function: least privilege`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        consume,
        this.messagingKeyStatement('ConsumeQueueEncrypted', ['kms:Decrypt'], 'sqs'),
        ...props.statements,
      ],
    });
    for (const statement of props.statements) {
      acknowledgeWildcardResources(
        policy,
        statement,
        'Object ARNs scoped to the key prefixes this function owns; S3 object permissions need a trailing *.',
      );
    }

    const fn = new NodejsFunction(this, id, {
      description: props.description,
      entry: handlerEntry(name),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: sizing.memoryMb,
      timeout: Duration.seconds(sizing.timeoutSeconds),
      reservedConcurrentExecutions: sizing.reservedConcurrency,
      // Immutable: the grants CDK adds implicitly (SqsEventSource) would otherwise create an inline
      // policy; the managed policy above already holds them, and the tests pin its statements.
      role: role.withoutPolicyUpdates(),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[this.config.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        // Local esbuild from node_modules, never Docker.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK too: the version tested is the version deployed, whatever the runtime ships.
        externalModules: [],
        // CommonJS dependencies bundled into ESM still call require().
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    // The event source mapping is validated against the role's permissions when it is created.
    fn.node.addDependency(policy);
    fn.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: sizing.batchSize,
        reportBatchItemFailures: true,
        // Never poll faster than the reserved concurrency can run: throttled batches burn receives.
        maxConcurrency: sizing.reservedConcurrency,
      }),
    );
    acknowledge(
      fn,
      'HIPAA.Security-LambdaDLQ',
      'Invoked only by its SQS event source mapping (synchronously); failed messages go to the queue DLQ, ' +
        'which is alarmed. A function DLQ applies to asynchronous invocations and would never receive anything.',
    );
    acknowledge(
      fn,
      'HIPAA.Security-LambdaInsideVPC',
      'The function reaches only S3, SQS, SNS and KMS through their TLS-only public endpoints under IAM; it ' +
        'has no private network resources to reach. A VPC would add NAT or endpoints without narrowing access.',
    );
    return fn;
  }

  /** Data-key use limited to S3 and to the given buckets (encryption context = bucket ARN with bucket keys). */
  private dataKeyStatement(actions: string[], buckets: s3.IBucket[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions,
      resources: [this.keys.data.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
        // The object ARN form covers objects written before bucket keys were enabled.
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': buckets.flatMap((b) => [b.bucketArn, b.arnForObjects('*')]),
        },
      },
    });
  }

  private messagingKeyStatement(sid: string, actions: string[], via: 'sqs' | 'sns'): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: [this.keys.messaging.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `${via}.${Aws.REGION}.amazonaws.com` } },
    });
  }

  private peoplePolicy(
    id: string,
    role: string,
    props: { description: string; statements: iam.PolicyStatement[] },
  ): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, id, {
      managedPolicyName: `scrub62323-${this.config.stage}-${role}`,
      description: props.description,
      statements: props.statements,
    });
    for (const statement of props.statements) {
      acknowledgeWildcardResources(
        policy,
        statement,
        'Object ARNs scoped to one key prefix of one bucket; S3 object permissions need a trailing *.',
      );
    }
    return policy;
  }
}

/** Object-level actions on the given key prefixes of a bucket. */
function objectStatement(
  sid: string,
  actions: string[],
  bucket: s3.IBucket,
  prefixes: string[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
  });
}

/**
 * ListBucket on a bucket, limited to the given key prefixes when there are any. The functions get it
 * unlimited: S3 answers a read of a missing key with 404 (which the handlers rely on) only to callers
 * allowed to list the bucket, and that check carries no s3:prefix to match a condition against.
 */
function listStatement(sid: string, bucket: s3.IBucket, prefixes: string[] = []): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    ...(prefixes.length > 0
      ? { conditions: { StringLike: { 's3:prefix': prefixes.flatMap((prefix) => [prefix, `${prefix}*`]) } } }
      : {}),
  });
}
