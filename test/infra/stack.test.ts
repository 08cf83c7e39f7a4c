import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Stack, Token } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyTableDefinition } from '../../functions/adapters/dynamo-history.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../../functions/core/intake/upload-file.js';
import {
  BUCKETS,
  DEFAULT_REPORT_RETENTION_DAYS,
  dlqName,
  ENV,
  FUNCTIONS,
  type FunctionName,
  type FunctionSizing,
  PREFIX,
  QUEUES,
  visibilityTimeoutSeconds,
  WORK_EXPIRY_DAYS,
} from '../../functions/pipeline/topology.js';
import type { Scrub62323DataStack } from '../../infra/data-stack.js';
import type { Scrub62323Stack } from '../../infra/stack.js';
import {
  asArray,
  type CfnResource,
  flat,
  grants,
  logicalId,
  mentions,
  removeOutdirs,
  resource,
  resourcesOfType,
  type Statement,
  SYNTH_TIMEOUT_MS,
  statementsOf,
  synth,
} from './helpers.js';

let stack: Scrub62323Stack;
let dataStack: Scrub62323DataStack;
/** The whole stage, both stacks (helpers.ts stageTemplate). */
let template: Template;
let dataTemplate: Template;
let statelessTemplate: Template;
let assembly: CloudAssembly;
/** Logical ids of the stack's resources, by role. */
let ids: {
  buckets: Record<'intake' | 'reports' | 'work' | 'accessLogs', string>;
  queues: Record<'intake' | 'intakeDlq' | 'chunk' | 'chunkDlq' | 'merge' | 'mergeDlq', string>;
  functions: Record<FunctionName, string>;
  topics: Record<'reportReady' | 'alarm', string>;
  keys: Record<'data' | 'messaging' | 'logs', string>;
  historyTable: string;
};

beforeAll(() => {
  ({ stack, dataStack, template, dataTemplate, statelessTemplate, assembly } = synth());
  const idsOf = <K extends string>(owner: Stack, constructs: Record<K, IConstruct>) =>
    Object.fromEntries(
      Object.entries<IConstruct>(constructs).map(([key, construct]) => [key, logicalId(owner, construct)]),
    ) as Record<K, string>;
  ids = {
    buckets: idsOf(dataStack, dataStack.buckets),
    queues: idsOf(dataStack, dataStack.queues),
    functions: idsOf(stack, stack.functions),
    topics: idsOf(dataStack, dataStack.topics),
    keys: idsOf(dataStack, dataStack.keys),
    historyTable: logicalId(dataStack, dataStack.historyTable),
  };
}, SYNTH_TIMEOUT_MS);
afterAll(removeOutdirs);

const DATA_BUCKETS = ['intake', 'reports', 'work'] as const;
const ALL_BUCKETS = [...DATA_BUCKETS, 'accessLogs'] as const;
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** The resource policy (bucket, queue or topic policy) that is attached to `targetId`. */
function policyFor(type: string, targetKey: string, targetId: string): Statement[] {
  const policies = resourcesOfType(template, type).filter(([, p]) =>
    mentions(p.Properties[targetKey], targetId),
  );
  expect(policies, `${type} for ${targetId}`).toHaveLength(1);
  return statementsOf(policies[0]![1]);
}

function lifecycleRules(bucket: string): Record<string, unknown>[] {
  const config = resource(template, bucket).Properties.LifecycleConfiguration as {
    Rules: Record<string, unknown>[];
  };
  return config.Rules;
}

describe('storage', () => {
  it('blocks all public access and is versioned, on every bucket', () => {
    for (const name of ALL_BUCKETS) {
      const props = resource(template, ids.buckets[name]).Properties;
      expect(props.PublicAccessBlockConfiguration, name).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(props.VersioningConfiguration, name).toEqual({ Status: 'Enabled' });
    }
  });

  it('denies non-TLS requests and TLS below 1.2, on every bucket', () => {
    for (const name of ALL_BUCKETS) {
      const statements = policyFor('AWS::S3::BucketPolicy', 'Bucket', ids.buckets[name]);
      expect(statements, name).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements, name).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      );
    }
  });

  it('encrypts the data buckets with the customer-managed data key, with bucket keys', () => {
    for (const name of DATA_BUCKETS) {
      expect(resource(template, ids.buckets[name]).Properties.BucketEncryption, name).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt(ids.keys.data) },
          },
        ],
      });
    }
  });

  it('encrypts the access log bucket with SSE-S3, the only default encryption S3 access logging accepts', () => {
    expect(resource(template, ids.buckets.accessLogs).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('rotates every KMS key, and buckets and queues use different keys', () => {
    const keys = resourcesOfType(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(3);
    for (const [id, key] of keys) expect(key.Properties.EnableKeyRotation, id).toBe(true);
    expect(new Set(Object.values(ids.keys)).size).toBe(3);
  });

  it('writes server access logs of every data bucket to the log bucket', () => {
    for (const name of DATA_BUCKETS) {
      expect(resource(template, ids.buckets[name]).Properties.LoggingConfiguration, name).toEqual({
        DestinationBucketName: { Ref: ids.buckets.accessLogs },
        LogFilePrefix: `${BUCKETS[name]}/`,
      });
    }
  });

  it('retains every bucket and the data key when the stack is deleted or replaced', () => {
    for (const id of [...ALL_BUCKETS.map((name) => ids.buckets[name]), ids.keys.data]) {
      const { DeletionPolicy, UpdateReplacePolicy } = resource(template, id);
      expect({ DeletionPolicy, UpdateReplacePolicy }, id).toEqual({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('names the data buckets <stem>-<stage>-<account>-<region>', () => {
    for (const name of DATA_BUCKETS) {
      expect(resource(template, ids.buckets[name]).Properties.BucketName, name).toEqual({
        'Fn::Join': ['', [`${BUCKETS[name]}-dev-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
      });
    }
  });

  it('keeps reports and the uploads they come from DEFAULT_REPORT_RETENTION_DAYS, old versions 30 days', () => {
    for (const name of ['intake', 'reports'] as const) {
      expect(lifecycleRules(ids.buckets[name]), name).toEqual([
        expect.objectContaining({
          Status: 'Enabled',
          ExpirationInDays: DEFAULT_REPORT_RETENTION_DAYS,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }),
      ]);
      // No prefix: nothing in the bucket escapes the rule.
      expect(lifecycleRules(ids.buckets[name])[0], name).not.toHaveProperty('Prefix');
    }
  });

  it('expires work/ after WORK_EXPIRY_DAYS and never expires history/ or packs/', () => {
    const rules = lifecycleRules(ids.buckets.work);
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: PREFIX.work, ExpirationInDays: WORK_EXPIRY_DAYS, Status: 'Enabled' }),
    );
    // Only the work/ rule may expire current objects: no bucket-wide, history/ or packs/ expiration.
    const expiring = rules.filter((r) => 'ExpirationInDays' in r || 'ExpirationDate' in r);
    expect(expiring.map((r) => r.Prefix)).toEqual([PREFIX.work]);
    for (const prefix of [PREFIX.history, PREFIX.packs]) {
      expect(rules, prefix).toContainEqual(
        expect.objectContaining({
          Prefix: prefix,
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          ExpiredObjectDeleteMarker: true,
        }),
      );
    }
  });
});

describe('member history table', () => {
  const table = () => resource(template, ids.historyTable);

  it('is the one table, in the data stack, named scrub62323-history-<stage>', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    dataTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(table().Properties.TableName).toBe('scrub62323-history-dev');
  });

  it('has the keys and TTL attribute the adapter expects (historyTableDefinition), and no index', () => {
    const { partitionKey, sortKey, timeToLiveAttribute } = historyTableDefinition;
    const props = table().Properties;
    expect(props.KeySchema).toEqual([
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ]);
    expect(props.AttributeDefinitions).toEqual([
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      { AttributeName: sortKey.name, AttributeType: sortKey.type },
    ]);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: timeToLiveAttribute, Enabled: true });
    expect(props).not.toHaveProperty('GlobalSecondaryIndexes');
    expect(props).not.toHaveProperty('LocalSecondaryIndexes');
    expect(props).not.toHaveProperty('StreamSpecification');
  });

  it('is on demand, with no provisioned throughput', () => {
    expect(table().Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table().Properties).not.toHaveProperty('ProvisionedThroughput');
  });

  it('is encrypted with the customer-managed data key, as the buckets are', () => {
    expect(table().Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: getAtt(ids.keys.data),
    });
  });

  it('has point-in-time recovery and deletion protection, and is retained when deleted or replaced', () => {
    const { Properties, DeletionPolicy, UpdateReplacePolicy } = table();
    expect(Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(Properties.DeletionProtectionEnabled).toBe(true);
    expect({ DeletionPolicy, UpdateReplacePolicy }).toEqual({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('messaging', () => {
  const pairs = [
    { queue: 'intake', dlq: 'intakeDlq', definition: QUEUES.intake, consumer: 'split' },
    { queue: 'chunk', dlq: 'chunkDlq', definition: QUEUES.chunk, consumer: 'validate' },
    { queue: 'merge', dlq: 'mergeDlq', definition: QUEUES.merge, consumer: 'merge' },
  ] as const;

  it('encrypts all six queues with the messaging key (not the bucket key)', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(6);
    for (const [id, queue] of queues) {
      expect(queue.Properties.KmsMasterKeyId, id).toEqual(getAtt(ids.keys.messaging));
    }
  });

  it('denies non-TLS access on every queue', () => {
    for (const id of Object.values(ids.queues)) {
      expect(policyFor('AWS::SQS::QueuePolicy', 'Queues', id), id).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it.each(pairs)('$queue queue: DLQ after maxReceiveCount, DLQ retention from topology', (pair) => {
    expect(resource(template, ids.queues[pair.queue]).Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt(ids.queues[pair.dlq]),
      maxReceiveCount: pair.definition.maxReceiveCount,
    });
    expect(resource(template, ids.queues[pair.dlq]).Properties.MessageRetentionPeriod).toBe(
      pair.definition.dlqRetentionDays * 24 * 60 * 60,
    );
    expect(dataStack.queues[pair.dlq].node.id).toBe(dlqName(pair.definition));
  });

  it.each(pairs)(
    '$queue queue: visibility timeout is the topology value and >= 6x its consumer timeout',
    (pair) => {
      const visibility = resource(template, ids.queues[pair.queue]).Properties.VisibilityTimeout as number;
      expect(visibility).toBe(visibilityTimeoutSeconds(pair.definition, FUNCTIONS[pair.consumer]));
      // The consumer as deployed: follow the event source mapping of this queue to its function.
      const [mapping] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
        mentions(m.Properties.EventSourceArn, ids.queues[pair.queue]),
      );
      expect(mapping?.[1].Properties.FunctionName).toEqual({ Ref: ids.functions[pair.consumer] });
      const timeout = resource(template, ids.functions[pair.consumer]).Properties.Timeout as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    },
  );

  it('notifies the intake queue of every upload under incoming/ (no suffix filter), natively (no custom resource)', () => {
    expect(resource(template, ids.buckets.intake).Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: getAtt(ids.queues.intake),
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: PREFIX.incoming }] } },
        },
      ],
    });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  it('lets only the intake bucket of this account send to the intake queue, before the bucket exists', () => {
    const [policyId] = Object.keys(
      template.findResources('AWS::SQS::QueuePolicy', {
        Properties: { Queues: [{ Ref: ids.queues.intake }] },
      }),
    );
    expect(resource(template, ids.buckets.intake).DependsOn).toContain(policyId);
    expect(policyFor('AWS::SQS::QueuePolicy', 'Queues', ids.queues.intake)).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: {
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  `:s3:::${BUCKETS.intake}-dev-`,
                  { Ref: 'AWS::AccountId' },
                  '-',
                  { Ref: 'AWS::Region' },
                ],
              ],
            },
          },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      }),
    );
  });

  it('lets the S3 service use the queue key for notifications, and CloudWatch for alarms', () => {
    const key = resource(template, ids.keys.messaging);
    const statements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    for (const service of ['s3.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      expect(statements, service).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: service },
          Action: expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']),
        }),
      );
    }
  });
});

describe('topics', () => {
  it('encrypts both topics with the messaging key and denies non-TLS publishing', () => {
    for (const id of Object.values(ids.topics)) {
      expect(resource(template, id).Properties.KmsMasterKeyId, id).toEqual(getAtt(ids.keys.messaging));
      expect(policyFor('AWS::SNS::TopicPolicy', 'Topics', id), id).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('lets CloudWatch alarms of this account publish to the alarm topic', () => {
    expect(policyFor('AWS::SNS::TopicPolicy', 'Topics', ids.topics.alarm)).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        }),
      }),
    );
  });

  it('subscribes no email unless context asks for one', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('compute', () => {
  const names = ['split', 'validate', 'merge'] as const;
  const fn = (name: (typeof names)[number]) => resource(template, ids.functions[name]).Properties;

  it.each(names)('%s: Node.js 22 or newer on arm64, sized from FUNCTIONS', (name) => {
    const props = fn(name);
    const major = Number(/^nodejs(\d+)\.x$/.exec(String(props.Runtime))?.[1]);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
    expect(props.MemorySize).toBe(FUNCTIONS[name].memoryMb);
    expect(props.Timeout).toBe(FUNCTIONS[name].timeoutSeconds);
    expect(props.ReservedConcurrentExecutions).toBe(FUNCTIONS[name].reservedConcurrency);
    // /tmp: Lambda's 512 MB default unless the topology asks for more (merge spills its findings there).
    const sizing: FunctionSizing = FUNCTIONS[name];
    if (sizing.ephemeralStorageMb === undefined) expect(props).not.toHaveProperty('EphemeralStorage');
    else expect(props.EphemeralStorage).toEqual({ Size: sizing.ephemeralStorageMb });
  });

  it('merge: 4096 MB of ephemeral storage, the only function with more than the default', () => {
    expect(fn('merge').EphemeralStorage).toEqual({ Size: 4096 });
    expect(names.filter((name) => 'EphemeralStorage' in fn(name))).toEqual(['merge']);
  });

  it.each(names)('%s: JSON logs into its own KMS-encrypted log group with a retention', (name) => {
    const logging = fn(name).LoggingConfig as { LogFormat: string; LogGroup: { Ref: string } };
    expect(logging).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    const logGroup = resource(template, logging.LogGroup.Ref);
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.LogGroupName).toBe(`/scrub62323/dev/${name}`);
    expect(logGroup.Properties.RetentionInDays).toBe(365);
    expect(logGroup.Properties.KmsKeyId).toEqual(getAtt(ids.keys.logs));
  });

  it.each([
    ['split', 'intake'],
    ['validate', 'chunk'],
    ['merge', 'merge'],
  ] as const)('%s: consumes the %s queue, reporting batch item failures', (name, queue) => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.functions[name] },
      EventSourceArn: getAtt(ids.queues[queue]),
      BatchSize: FUNCTIONS[name].batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: FUNCTIONS[name].reservedConcurrency },
    });
  });

  it('split: environment names the work bucket, the chunk queue and its own queue (names from topology ENV)', () => {
    expect(fn('split').Environment).toEqual({
      Variables: {
        WORK_BUCKET: { Ref: ids.buckets.work },
        CHUNK_QUEUE_URL: { Ref: ids.queues.chunk },
        INTAKE_QUEUE_URL: { Ref: ids.queues.intake },
        INTAKE_MAX_RECEIVE_COUNT: String(QUEUES.intake.maxReceiveCount),
        MAX_UPLOAD_BYTES: String(DEFAULT_MAX_UPLOAD_BYTES),
        LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('validate: environment names the work bucket, receive limit and merge queue (names from topology ENV)', () => {
    expect(fn('validate').Environment).toEqual({
      Variables: {
        WORK_BUCKET: { Ref: ids.buckets.work },
        CHUNK_MAX_RECEIVE_COUNT: String(QUEUES.chunk.maxReceiveCount),
        MERGE_QUEUE_URL: { Ref: ids.queues.merge },
        LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('merge: environment names buckets, report topic, history table and stack (names from topology ENV)', () => {
    expect(fn('merge').Environment).toEqual({
      Variables: {
        WORK_BUCKET: { Ref: ids.buckets.work },
        REPORTS_BUCKET: { Ref: ids.buckets.reports },
        MERGE_QUEUE_URL: { Ref: ids.queues.merge },
        REPORT_TOPIC_ARN: { Ref: ids.topics.reportReady },
        HISTORY_TABLE: { Ref: ids.historyTable },
        STACK_NAME: 'Scrub62323-dev',
        LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('every variable a function gets is one of topology ENV', () => {
    for (const name of names) {
      const variables = Object.keys((fn(name).Environment as { Variables: object }).Variables);
      expect(variables.filter((v) => v !== 'NODE_OPTIONS' && !(v in ENV))).toEqual([]);
    }
  });

  it.each(names)(
    '%s: bundled by esbuild as minified ESM with a createRequire banner and a source map',
    (name) => {
      const key = (fn(name).Code as { S3Key: string }).S3Key;
      const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith('import { createRequire } from')).toBe(true);
      expect(code).toContain('const require = createRequire(import.meta.url);');
      expect(code).toMatch(/export\s*\{/);
      // The AWS SDK is bundled, not taken from the runtime.
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    },
  );
});

describe('access', () => {
  const fnProps = (name: FunctionName) => resource(template, ids.functions[name]).Properties;
  const logGroupOf = (name: FunctionName) =>
    (fnProps(name).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  const functionPolicy = (name: FunctionName): CfnResource => {
    const role = (fnProps(name).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const attached = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').filter(([, p]) =>
      mentions(p.Properties.Roles, role),
    );
    expect(attached, `policies attached to the ${name} role`).toHaveLength(1);
    return attached[0]![1];
  };
  const arn = (id: string, path = '') => `<${id}.Arn>${path}`;

  it('holds function permissions in customer-managed policies only: no inline or AWS-managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      expect(role.Properties, id).not.toHaveProperty('Policies');
      expect(role.Properties, id).not.toHaveProperty('ManagedPolicyArns');
      expect(role.Properties.AssumeRolePolicyDocument, id).toMatchObject({
        Statement: [{ Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
      });
    }
  });

  it('never grants a function or person Resource "*" or a wildcard action', () => {
    // No exception is needed: every statement names its bucket prefix, queue, topic, key or log group.
    for (const [id, policy] of resourcesOfType(template, 'AWS::IAM::ManagedPolicy')) {
      for (const statement of statementsOf(policy)) {
        expect(asArray(statement.Resource), `${id} ${statement.Sid}`).not.toContain('*');
        expect(
          asArray(statement.Action).filter((a) => a.includes('*')),
          `${id} ${statement.Sid}`,
        ).toEqual([]);
      }
    }
  });

  it('split: reads incoming/ uploads and packs/, reads/writes work/, sends chunks, consumes the intake queue and sends byte ranges to it', () => {
    const { buckets, queues, keys } = ids;
    expect(grants(statementsOf(functionPolicy('split')))).toEqual(
      [
        `kms:Decrypt ${arn(keys.data)}`,
        `kms:Decrypt ${arn(keys.data)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:GenerateDataKey ${arn(keys.data)}`,
        `kms:GenerateDataKey ${arn(keys.messaging)}`,
        `logs:CreateLogStream ${arn(logGroupOf('split'))}`,
        `logs:PutLogEvents ${arn(logGroupOf('split'))}`,
        `s3:GetObject ${arn(buckets.intake, `/${PREFIX.incoming}*`)}`,
        `s3:GetObject ${arn(buckets.work, `/${PREFIX.packs}*`)}`,
        `s3:GetObject ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `s3:GetObjectVersion ${arn(buckets.intake, `/${PREFIX.incoming}*`)}`,
        `s3:ListBucket ${arn(buckets.intake)}`,
        `s3:ListBucket ${arn(buckets.work)}`,
        `s3:AbortMultipartUpload ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `s3:PutObject ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `sqs:ChangeMessageVisibility ${arn(queues.intake)}`,
        `sqs:DeleteMessage ${arn(queues.intake)}`,
        `sqs:GetQueueAttributes ${arn(queues.intake)}`,
        `sqs:ReceiveMessage ${arn(queues.intake)}`,
        `sqs:SendMessage ${arn(queues.chunk)}`,
        `sqs:SendMessage ${arn(queues.intake)}`,
      ].sort(),
    );
    // The packs are read in a statement of their own, named for the audit trail.
    const readPacks = statementsOf(functionPolicy('split')).filter((s) => s.Sid === 'ReadRulePacks');
    expect(readPacks.map((s) => grants([s]))).toEqual([
      [`s3:GetObject ${arn(buckets.work, `/${PREFIX.packs}*`)}`],
    ]);
  });

  it('validate: reads/writes work/, sends merge shards, consumes the chunk queue', () => {
    const { buckets, queues, keys } = ids;
    expect(grants(statementsOf(functionPolicy('validate')))).toEqual(
      [
        `kms:Decrypt ${arn(keys.data)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:GenerateDataKey ${arn(keys.data)}`,
        `kms:GenerateDataKey ${arn(keys.messaging)}`,
        `logs:CreateLogStream ${arn(logGroupOf('validate'))}`,
        `logs:PutLogEvents ${arn(logGroupOf('validate'))}`,
        `s3:GetObject ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `s3:ListBucket ${arn(buckets.work)}`,
        `s3:AbortMultipartUpload ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `s3:PutObject ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `sqs:ChangeMessageVisibility ${arn(queues.chunk)}`,
        `sqs:DeleteMessage ${arn(queues.chunk)}`,
        `sqs:GetQueueAttributes ${arn(queues.chunk)}`,
        `sqs:ReceiveMessage ${arn(queues.chunk)}`,
        `sqs:SendMessage ${arn(queues.merge)}`,
      ].sort(),
    );
    const statements = statementsOf(functionPolicy('validate'));
    // Its data key use is the work bucket's only: validate reads no upload and writes no report.
    const dataKeyUse = statements.filter((s) => mentions(s.Resource, ids.keys.data));
    expect(
      dataKeyUse.map((s) => asArray(s.Condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn']).map(flat)),
    ).toEqual([[arn(buckets.work), arn(buckets.work, '/*')]]);
    // Sending to the encrypted merge queue, in a statement of its own, named for the audit trail.
    expect(statements.filter((s) => s.Sid === 'SendMergeShardsEncrypted')).toEqual([
      {
        Sid: 'SendMergeShardsEncrypted',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: getAtt(keys.messaging),
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        },
      },
    ]);
  });

  it('merge: reads/writes work/ and the history table, reads history/, writes reports/, publishes, consumes and sends to the merge queue', () => {
    const { buckets, queues, keys, topics } = ids;
    expect(grants(statementsOf(functionPolicy('merge')))).toEqual(
      [
        `dynamodb:BatchWriteItem ${arn(ids.historyTable)}`,
        `dynamodb:Query ${arn(ids.historyTable)}`,
        `kms:Decrypt ${arn(keys.data)}`,
        `kms:Decrypt ${arn(keys.data)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:Decrypt ${arn(keys.messaging)}`,
        `kms:GenerateDataKey ${arn(keys.data)}`,
        `kms:GenerateDataKey ${arn(keys.messaging)}`,
        `kms:GenerateDataKey ${arn(keys.messaging)}`,
        `logs:CreateLogStream ${arn(logGroupOf('merge'))}`,
        `logs:PutLogEvents ${arn(logGroupOf('merge'))}`,
        `s3:GetObject ${arn(buckets.work, `/${PREFIX.history}*`)}`,
        `s3:GetObject ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `s3:ListBucket ${arn(buckets.work)}`,
        `s3:AbortMultipartUpload ${arn(buckets.reports, `/${PREFIX.reports}*`)}`,
        `s3:PutObject ${arn(buckets.reports, `/${PREFIX.reports}*`)}`,
        `s3:AbortMultipartUpload ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `s3:PutObject ${arn(buckets.work, `/${PREFIX.work}*`)}`,
        `sns:Publish <${topics.reportReady}>`,
        `sqs:ChangeMessageVisibility ${arn(queues.merge)}`,
        `sqs:DeleteMessage ${arn(queues.merge)}`,
        `sqs:GetQueueAttributes ${arn(queues.merge)}`,
        `sqs:ReceiveMessage ${arn(queues.merge)}`,
        // The last shard sends the render ranges to its own queue.
        `sqs:SendMessage ${arn(queues.merge)}`,
      ].sort(),
    );
    // history/ is read in a statement of its own, named for the audit trail: people maintain it.
    const readHistory = statementsOf(functionPolicy('merge')).filter((s) => s.Sid === 'ReadHistory');
    expect(readHistory.map((s) => grants([s]))).toEqual([
      [`s3:GetObject ${arn(buckets.work, `/${PREFIX.history}*`)}`],
    ]);
  });

  it('only merge writes reports/ and publishes "report ready"; only validate and merge send to the merge queue', () => {
    const writesReports = (name: FunctionName) =>
      grants(statementsOf(functionPolicy(name))).some((g) =>
        g.startsWith(`s3:PutObject <${ids.buckets.reports}.`),
      );
    const publishes = (name: FunctionName) =>
      grants(statementsOf(functionPolicy(name))).some((g) => g.startsWith('sns:Publish '));
    const sendsShards = (name: FunctionName) =>
      grants(statementsOf(functionPolicy(name))).includes(`sqs:SendMessage ${arn(ids.queues.merge)}`);
    const all = ['split', 'validate', 'merge'] as const;
    expect(all.filter(writesReports)).toEqual(['merge']);
    expect(all.filter(publishes)).toEqual(['merge']);
    expect(all.filter(sendsShards)).toEqual(['validate', 'merge']);
  });

  it('limits every key permission to the service (and, for the data key, the buckets or table) it is for', () => {
    for (const [id, policy] of resourcesOfType(template, 'AWS::IAM::ManagedPolicy')) {
      for (const statement of statementsOf(policy).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('kms:')),
      )) {
        expect(statement.Condition?.StringEquals, id).toHaveProperty(['kms:ViaService']);
        if (!mentions(statement.Resource, ids.keys.data)) continue;
        const tableName = statement.Condition?.StringEquals?.['kms:EncryptionContext:aws:dynamodb:tableName'];
        if (tableName === undefined) {
          expect(statement.Condition?.StringLike, id).toHaveProperty(['kms:EncryptionContext:aws:s3:arn']);
        } else {
          expect(tableName, id).toEqual({ Ref: ids.historyTable });
        }
      }
    }
  });

  /** The statements of a policy that name the history table or the key use limited to it. */
  const historyStatements = (policy: CfnResource) =>
    statementsOf(policy).filter(
      (s) =>
        mentions(s.Resource, ids.historyTable) ||
        mentions(
          s.Condition?.StringEquals?.['kms:EncryptionContext:aws:dynamodb:tableName'],
          ids.historyTable,
        ),
    );
  const historyKeyCondition = () => ({
    StringEquals: {
      'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      'kms:EncryptionContext:aws:dynamodb:tableName': { Ref: ids.historyTable },
    },
  });

  it('merge: on the history table exactly Query and BatchWriteItem (all the adapter calls), on its ARN only', () => {
    expect(historyStatements(functionPolicy('merge'))).toEqual([
      {
        Sid: 'ReadWriteMemberHistory',
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
        Resource: getAtt(ids.historyTable),
      },
      {
        Sid: 'ReadWriteMemberHistoryEncrypted',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt(ids.keys.data),
        Condition: historyKeyCondition(),
      },
    ]);
  });

  it('history admin: describe, query, scan and batch-write the history table (import and export), nothing else', () => {
    const policy = resource(template, logicalId(dataStack, dataStack.peoplePolicies.historyAdmin));
    expect(policy.Properties.ManagedPolicyName).toBe('scrub62323-dev-history-admin');
    expect(policy.Properties).not.toHaveProperty('Roles');
    expect(statementsOf(policy)).toEqual([
      {
        Sid: 'ImportExportHistory',
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:Scan'],
        Resource: getAtt(ids.historyTable),
      },
      {
        Sid: 'UseHistoryTableKey',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt(ids.keys.data),
        Condition: historyKeyCondition(),
      },
    ]);
  });

  it('lets only merge and the history admin write to a table: no other policy, role or key grants DynamoDB', () => {
    const writes =
      /^dynamodb:(BatchWriteItem|PutItem|UpdateItem|DeleteItem|PartiQL(Insert|Update|Delete)|Import|Restore|Delete|Update|\*)/;
    const historyAdmin = logicalId(dataStack, dataStack.peoplePolicies.historyAdmin);
    const mergePolicy = logicalId(dataStack, dataStack.functionPolicies.merge);
    const documents = [
      ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy').map(
        ([id, p]) => [id, statementsOf(p)] as const,
      ),
      ...resourcesOfType(template, 'AWS::IAM::Policy').map(([id, p]) => [id, statementsOf(p)] as const),
      ...resourcesOfType(template, 'AWS::IAM::Role').flatMap(([id, role]) =>
        asArray(role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).map(
          (p) => [id, p.PolicyDocument.Statement] as const,
        ),
      ),
    ];
    const writers = documents
      .filter(([, statements]) =>
        statements.some((s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => writes.test(a))),
      )
      .map(([id]) => id);
    expect(writers.sort()).toEqual([historyAdmin, mergePolicy].sort());
    // No resource policy (key, bucket, queue, topic) mentions DynamoDB actions either.
    for (const type of [
      'AWS::KMS::Key',
      'AWS::S3::BucketPolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SNS::TopicPolicy',
    ]) {
      for (const [id, found] of resourcesOfType(template, type)) {
        expect(JSON.stringify(found.Properties), id).not.toContain('dynamodb:');
      }
    }
  });

  it('split, validate, the billing uploader and the auditor get nothing on the history table or its key use', () => {
    const { billingUploader, auditor } = dataStack.peoplePolicies;
    const policies = [
      functionPolicy('split'),
      functionPolicy('validate'),
      resource(template, logicalId(dataStack, billingUploader)),
      resource(template, logicalId(dataStack, auditor)),
    ];
    for (const policy of policies) {
      expect(historyStatements(policy)).toEqual([]);
      expect(
        statementsOf(policy)
          .flatMap((s) => asArray(s.Action))
          .filter((a) => a.startsWith('dynamodb:')),
      ).toEqual([]);
    }
  });

  // DescribeStacks on the stage's own stack (any stack id), in the stack's account and region.
  const stageStackArn =
    '<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/Scrub62323-dev/*';

  it('billing uploader: puts and lists objects under incoming/, reads only summary.json of the reports', () => {
    const policy = resource(template, logicalId(dataStack, dataStack.peoplePolicies.billingUploader));
    expect(policy.Properties.ManagedPolicyName).toBe('scrub62323-dev-billing-uploader');
    expect(grants(statementsOf(policy))).toEqual([
      `cloudformation:DescribeStacks arn:${stageStackArn}`,
      `kms:Decrypt ${arn(ids.keys.data)}`,
      `kms:Decrypt ${arn(ids.keys.data)}`,
      `kms:Encrypt ${arn(ids.keys.data)}`,
      `kms:GenerateDataKey ${arn(ids.keys.data)}`,
      `s3:AbortMultipartUpload ${arn(ids.buckets.intake, `/${PREFIX.incoming}*`)}`,
      `s3:GetObject ${arn(ids.buckets.reports, `/${PREFIX.reports}*/summary.json`)}`,
      `s3:ListBucket ${arn(ids.buckets.intake)}`,
      `s3:ListBucket ${arn(ids.buckets.reports)}`,
      `s3:ListBucketVersions ${arn(ids.buckets.intake)}`,
      `s3:PutObject ${arn(ids.buckets.intake, `/${PREFIX.incoming}*`)}`,
    ]);
    const statements = statementsOf(policy);
    // Listing: the uploads under incoming/ only; of the reports, only a prefix that is one summary.json.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['s3:ListBucket', 's3:ListBucketVersions'],
        Condition: { StringLike: { 's3:prefix': [PREFIX.incoming, `${PREFIX.incoming}*`] } },
      }),
    );
    const reportsListing = statements.find(
      (s) => s.Action === 's3:ListBucket' && mentions(s.Resource, ids.buckets.reports),
    );
    expect(reportsListing?.Condition).toEqual({
      StringLike: { 's3:prefix': [`${PREFIX.reports}*/summary.json`] },
    });
    // The intake key use may encrypt; the reports key use only decrypts.
    const keyStatements = statements.filter((s) => mentions(s.Resource, ids.keys.data));
    const contexts = keyStatements.map((s) => ({
      actions: asArray(s.Action).sort(),
      buckets: flat(s.Condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn']),
    }));
    expect(contexts).toHaveLength(2);
    const intakeUse = contexts.find((c) => c.buckets.includes(ids.buckets.intake));
    const reportsUse = contexts.find((c) => c.buckets.includes(ids.buckets.reports));
    expect(intakeUse?.buckets).not.toContain(ids.buckets.reports);
    expect(reportsUse).toEqual(expect.objectContaining({ actions: ['kms:Decrypt'] }));
    expect(reportsUse?.buckets).not.toContain(ids.buckets.intake);
  });

  it('auditor: may only list and read reports/ of the reports bucket, and read the stage outputs', () => {
    const policy = resource(template, logicalId(dataStack, dataStack.peoplePolicies.auditor));
    expect(policy.Properties.ManagedPolicyName).toBe('scrub62323-dev-auditor');
    expect(grants(statementsOf(policy))).toEqual([
      `cloudformation:DescribeStacks arn:${stageStackArn}`,
      `kms:Decrypt ${arn(ids.keys.data)}`,
      `s3:GetObject ${arn(ids.buckets.reports, `/${PREFIX.reports}*`)}`,
      `s3:ListBucket ${arn(ids.buckets.reports)}`,
    ]);
    expect(statementsOf(policy)).toContainEqual(
      expect.objectContaining({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': [PREFIX.reports, `${PREFIX.reports}*`] } },
      }),
    );
  });

  it('the stack the people policies may describe is the one whose outputs name the buckets', () => {
    expect(stack.stackName).toBe('Scrub62323-dev');
    for (const output of ['ReportsBucketName', 'IntakeBucketName'])
      expect(Object.keys(statelessTemplate.toJSON().Outputs)).toContain(output);
  });
});

describe('operations', () => {
  const alarms = () => resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  it.each(['intakeDlq', 'chunkDlq', 'mergeDlq'] as const)(
    'alarms when the %s holds any visible message',
    (dlq) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queues[dlq], 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    },
  );

  it.each(['split', 'validate', 'merge'] as const)('alarms on any error of the %s function', (name) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.functions[name] } }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  it.each([
    ['chunk', QUEUES.chunk, FUNCTIONS.validate],
    ['merge', QUEUES.merge, FUNCTIONS.merge],
  ] as const)(
    'alarms when the oldest %s message has waited longer than its whole retry window',
    (queue, definition, consumer) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queues[queue], 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: visibilityTimeoutSeconds(definition, consumer) * definition.maxReceiveCount,
      });
    },
  );

  it('watches the age of the chunk and merge queues, and of no other queue', () => {
    const aged = alarms()
      .filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage')
      .map(
        (a) => (a.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[])[0]?.Value['Fn::GetAtt'][0],
      );
    expect(aged.sort()).toEqual([ids.queues.chunk, ids.queues.merge].sort());
    // The merge window: 6 x 900 s visibility, 3 receives.
    expect(visibilityTimeoutSeconds(QUEUES.merge, FUNCTIONS.merge) * QUEUES.merge.maxReceiveCount).toBe(
      16_200,
    );
  });

  it('alarms on any throttled read or write of the history table, summing both table metrics', () => {
    const [alarm, ...others] = alarms().filter((a) => mentions(a.Metrics, ids.historyTable));
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    const metrics = alarm?.Metrics as { Id: string; Expression?: string; ReturnData: boolean }[];
    expect(metrics.filter((m) => m.ReturnData)).toEqual([
      expect.objectContaining({ Expression: 'FILL(reads, 0) + FILL(writes, 0)' }),
    ]);
    const stat = (metricName: string) => ({
      Metric: {
        Namespace: 'AWS/DynamoDB',
        MetricName: metricName,
        Dimensions: [{ Name: 'TableName', Value: { Ref: ids.historyTable } }],
      },
      Period: 300,
      Stat: 'Sum',
    });
    expect(metrics).toContainEqual({
      Id: 'reads',
      MetricStat: stat('ReadThrottleEvents'),
      ReturnData: false,
    });
    expect(metrics).toContainEqual({
      Id: 'writes',
      MetricStat: stat('WriteThrottleEvents'),
      ReturnData: false,
    });
  });

  it('alarms when no batch was reported for 26 hours: hourly sums of BatchesReported of every status, missing data breaching', () => {
    const [alarm, ...others] = alarms().filter((a) =>
      JSON.stringify(a.Metrics ?? []).includes('"BatchesReported"'),
    );
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: ids.topics.alarm }],
      OKActions: [{ Ref: ids.topics.alarm }],
    });
    const metrics = alarm?.Metrics as { Id: string; Expression?: string; ReturnData?: boolean }[];
    expect(metrics.filter((m) => m.ReturnData !== false)).toEqual([
      expect.objectContaining({
        Expression: 'FILL(complete, 0) + FILL(rejected, 0) + FILL(incomplete, 0)',
      }),
    ]);
    for (const status of ['complete', 'rejected', 'incomplete']) {
      expect(metrics).toContainEqual({
        Id: status,
        MetricStat: {
          Metric: {
            Namespace: 'scrub62323',
            MetricName: 'BatchesReported',
            Dimensions: [
              { Name: 'service', Value: 'scrub62323' },
              { Name: 'status', Value: status },
            ],
          },
          Period: 3600,
          Stat: 'Sum',
        },
        ReturnData: false,
      });
    }
    // CloudWatch evaluates at most 7 days, and at most 1 day for periods under an hour.
    expect(3600 * 26).toBeLessThanOrEqual(604_800);
  });

  it('sends every alarm, and its recovery, to the alarm topic', () => {
    expect(alarms()).toHaveLength(10);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: ids.topics.alarm }]);
      expect(alarm.OKActions).toEqual([{ Ref: ids.topics.alarm }]);
      // Only the missing-batch alarm counts no data as a problem: no data is what it reports.
      const missingBatch = JSON.stringify(alarm.Metrics ?? []).includes('"BatchesReported"');
      expect(alarm.TreatMissingData).toBe(missingBatch ? 'breaching' : 'notBreaching');
    }
  });

  it('outputs bucket and table names, queue URLs, topic ARNs and policy ARNs', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AccessLogBucketName',
        'AuditorPolicyArn',
        'AlarmTopicArn',
        'BillingUploaderPolicyArn',
        'ChunkDlqUrl',
        'ChunkQueueUrl',
        'DataKeyArn',
        'HistoryAdminPolicyArn',
        'HistoryTableName',
        'IntakeBucketName',
        'IntakeDlqUrl',
        'IntakeQueueUrl',
        'MergeDlqUrl',
        'MergeQueueUrl',
        'ReportReadyTopicArn',
        'ReportsBucketName',
        'WorkBucketName',
      ].sort(),
    );
    template.hasOutput('IntakeBucketName', { Value: { Ref: ids.buckets.intake } });
    template.hasOutput('ReportsBucketName', { Value: { Ref: ids.buckets.reports } });
    template.hasOutput('HistoryTableName', { Value: { Ref: ids.historyTable } });
    template.hasOutput('MergeQueueUrl', { Value: { Ref: ids.queues.merge } });
    template.hasOutput('MergeDlqUrl', { Value: { Ref: ids.queues.mergeDlq } });
    template.hasOutput('HistoryAdminPolicyArn', {
      Value: { Ref: logicalId(dataStack, dataStack.peoplePolicies.historyAdmin) },
    });
    template.hasOutput('AuditorPolicyArn', {
      Value: { Ref: logicalId(dataStack, dataStack.peoplePolicies.auditor) },
    });
    template.hasOutput('BillingUploaderPolicyArn', { Value: Match.objectLike({ Ref: Match.anyValue() }) });
  });

  it('is environment-agnostic: no account or region, so synth needs no credentials', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
  });
});

describe('stages: a data stack and a stateless stack', () => {
  const types = (t: Template) =>
    new Set(Object.values(t.toJSON().Resources as Record<string, CfnResource>).map((r) => r.Type));

  it('synthesizes Scrub62323-<stage>-data and Scrub62323-<stage>, the stateless one depending on the data one only', () => {
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['Scrub62323-dev', 'Scrub62323-dev-data']);
    const stackIds = new Set(assembly.stacks.map((s) => s.id));
    const stackDependencies = (name: string) =>
      assembly
        .getStackByName(name)
        .dependencies.map((d) => d.id)
        .filter((id) => stackIds.has(id));
    expect(stackDependencies('Scrub62323-dev')).toEqual(['Scrub62323-dev-data']);
    expect(stackDependencies('Scrub62323-dev-data')).toEqual([]);
  });

  it('data stack references nothing of the stateless stack (no cycle can form)', () => {
    const json = JSON.stringify(dataTemplate.toJSON());
    expect(json).not.toContain('Fn::ImportValue');
    expect(json).not.toContain('Fn::GetStackOutput');
  });

  it('data stack retains every bucket, table, log group and key, except the key of messages in flight', () => {
    const retained = [
      'AWS::S3::Bucket',
      'AWS::DynamoDB::Table',
      'AWS::Logs::LogGroup',
      'AWS::KMS::Key',
    ].flatMap((type) => resourcesOfType(dataTemplate, type));
    // Buckets, the table, one log group per function, keys.
    expect(retained.length).toBe(4 + 1 + 3 + 3);
    for (const [id, found] of retained) {
      const expected = id === ids.keys.messaging ? 'Delete' : 'Retain';
      expect(
        { DeletionPolicy: found.DeletionPolicy, UpdateReplacePolicy: found.UpdateReplacePolicy },
        id,
      ).toEqual({
        DeletionPolicy: expected,
        UpdateReplacePolicy: expected,
      });
    }
  });

  it('stateless stack holds no data: only functions, their event source mappings and alarms', () => {
    const allowed = [
      'AWS::CDK::Metadata',
      'AWS::CloudWatch::Alarm',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Lambda::Function',
    ];
    expect([...types(statelessTemplate)].filter((type) => !allowed.includes(type))).toEqual([]);
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::KMS::Key',
      'AWS::Logs::LogGroup',
      'AWS::DynamoDB::Table',
      'AWS::SQS::Queue',
    ]) {
      statelessTemplate.resourceCountIs(type, 0);
    }
  });

  it('keeps the stage outputs on the stateless stack, and termination protection off unless context asks', () => {
    expect(Object.keys(statelessTemplate.findOutputs('*'))).toHaveLength(17);
    expect(stack.terminationProtection).toBe(false);
    expect(dataStack.terminationProtection).toBe(false);
  });
});
