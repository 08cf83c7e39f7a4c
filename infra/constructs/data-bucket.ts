import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { accessLogBucketProps, bucketName, dataBucketProps } from './data-bucket-defaults.js';

export interface DataBucketProps {
  /** Name stem from topology BUCKETS; the bucket is named `<stem>-<stage>-<account>-<region>`. */
  readonly stem: string;
  readonly stage: string;
  /** Customer-managed key for SSE-KMS (with bucket keys). */
  readonly encryptionKey: kms.IKey;
  /** Receives this bucket's server access logs under `<stem>/`. */
  readonly accessLogs: s3.IBucket;
  /** @default - none: objects never expire */
  readonly lifecycleRules?: s3.LifecycleRule[];
}

export interface UploadNotification {
  /** Every key under this prefix notifies (no suffix filter: S3 suffix rules match case-sensitively). */
  readonly prefix: string;
}

/** A private, versioned, TLS-only, SSE-KMS, access-logged, retained bucket for claim data. */
export class DataBucket extends s3.Bucket {
  /** The bucket's ARN built from its deterministic name: usable where a reference would be a cycle. */
  private readonly arnByName: string;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    const name = bucketName(props.stem, props.stage);
    super(
      scope,
      id,
      dataBucketProps({
        bucketName: name,
        encryptionKey: props.encryptionKey,
        accessLogs: props.accessLogs,
        accessLogPrefix: `${props.stem}/`,
        lifecycleRules: props.lifecycleRules ?? [],
      }),
    );
    this.arnByName = Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: name });
    acknowledgeNoReplication(this);
  }

  /**
   * New objects matching `filter` notify `queue`. Set on the CfnBucket (native CloudFormation) rather
   * than `addEventNotification`, which deploys a custom-resource Lambda. The queue must be in this stack.
   */
  notifyOnUpload(queue: sqs.Queue, filter: UploadNotification): void {
    // The bucket must wait for the queue policy (S3 validates the destination), so the policy names the
    // bucket by its deterministic ARN instead of referencing it: a reference would be a cycle.
    const { policyDependable } = queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${this.node.id}Notifications`,
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.arnByName },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
    const cfnBucket = this.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: [
        {
          event: 's3:ObjectCreated:*',
          queue: queue.queueArn,
          filter: { s3Key: { rules: [{ name: 'prefix', value: filter.prefix }] } },
        },
      ],
    };
    if (policyDependable) cfnBucket.node.addDependency(policyDependable);
  }
}

export interface AccessLogBucketProps {
  /** Days the access logs are kept: as long as the reports whose access they record. */
  readonly retentionDays: number;
}

/** Where every data bucket's server access logs go: SSE-S3 (the only kind S3 logging delivers to). */
export class AccessLogBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id, accessLogBucketProps(props.retentionDays));
    acknowledge(this, 'AwsSolutions-S1', 'This is the access log bucket; logging it to itself would loop.');
    acknowledge(this, 'HIPAA.Security-S3BucketLoggingEnabled', 'This is the access log bucket itself.');
    acknowledge(
      this,
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'S3 server access logging supports only SSE-S3 on the target bucket. The logs hold object keys and ' +
        'requesters, not claim contents; the bucket is private, TLS-only and versioned.',
    );
    acknowledgeNoReplication(this);
  }
}

function acknowledgeNoReplication(bucket: s3.Bucket): void {
  acknowledge(
    bucket,
    'HIPAA.Security-S3BucketReplicationEnabled',
    'Single-region deployment by design. Versioning, RETAIN and noncurrent-version retention protect ' +
      'against deletes; cross-region replication needs a second region and key and is a deployment choice.',
  );
}
