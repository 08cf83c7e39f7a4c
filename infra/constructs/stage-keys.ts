import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface StageKeysProps {
  /** Part of every alias: `alias/scrub62323-<stage>-<purpose>`. */
  readonly stage: string;
}

/**
 * The stage's customer-managed keys, all rotated. Buckets and queues get separate keys: the S3 service's
 * grant on the queue key stays off the data key, and bucket -> queue -> key -> bucket dependency cycles
 * (cfn-lint E3004) cannot arise. Key policies name services only; roles are granted by their own
 * (identity) policies, which the default key policy allows by trusting the account.
 */
export class StageKeys extends Construct {
  /** S3 objects (uploads, work files, reports) and the history table. Retained with what it decrypts. */
  readonly data: kms.Key;
  /** SQS queues and SNS topics: messages in flight only, so it goes with them. */
  readonly messaging: kms.Key;
  /** CloudWatch Logs of the functions. Retained with the log groups it decrypts. */
  readonly logs: kms.Key;

  constructor(scope: Construct, id: string, props: StageKeysProps) {
    super(scope, id);
    const key = (keyId: string, purpose: string, description: string, removalPolicy: RemovalPolicy) =>
      new kms.Key(this, keyId, {
        alias: `alias/scrub62323-${props.stage}-${purpose}`,
        description: `scrub62323 ${props.stage}: ${description}`,
        enableKeyRotation: true,
        removalPolicy,
      });
    this.data = key(
      'DataKey',
      'data',
      'S3 objects (uploads, work files, reports) and the member history table',
      RemovalPolicy.RETAIN,
    );
    this.messaging = key('MessagingKey', 'messaging', 'SQS queues and SNS topics', RemovalPolicy.DESTROY);
    this.logs = key('LogsKey', 'logs', 'CloudWatch Logs of the pipeline functions', RemovalPolicy.RETAIN);
    this.allowServiceUse();
  }

  /** Service principals that encrypt on the stage's behalf (no IAM role to grant to). */
  private allowServiceUse(): void {
    // S3 encrypts event notifications into the SSE-KMS intake queue (policy as in the S3 user guide).
    // The queue policy, not this key policy, limits which bucket may send.
    this.messaging.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3EventNotifications',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.messaging.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // CloudWatch Logs encrypts the function log groups of this account and region only.
    this.logs.addToResourcePolicy(
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
}
