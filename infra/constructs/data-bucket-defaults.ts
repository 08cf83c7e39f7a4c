import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

// The bucket settings, as plain props: what every bucket of the stage gets, kept apart from the
// constructs that build buckets from them (data-bucket.ts) so the policy can be read in one place.

/** Old object versions (overwrites, deletes) are kept this long so a mistake can be undone. */
export const NONCURRENT_VERSION_DAYS = 30;

/** `<stem>-<stage>-<account>-<region>`: deterministic, so a policy can name a bucket before it exists. */
export function bucketName(stem: string, stage: string): string {
  return `${stem}-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** Expires current objects after `days`, old versions after NONCURRENT_VERSION_DAYS. */
export function currentVersionRule(id: string, days: number): s3.LifecycleRule {
  return {
    id,
    expiration: Duration.days(days),
    noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  };
}

/** Every bucket: private, TLS 1.2+ only, versioned, owner-enforced, and outliving its stack. */
const SECURE_BUCKET_DEFAULTS = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  versioned: true,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  // PHI and its audit trail outlive the stack; see the README, "Teardown".
  removalPolicy: RemovalPolicy.RETAIN,
} as const satisfies s3.BucketProps;

export interface DataBucketDefaultsInput {
  readonly bucketName: string;
  readonly encryptionKey: s3.BucketProps['encryptionKey'];
  readonly accessLogs: s3.IBucket;
  /** Server access logs of this bucket go under this prefix of the access log bucket. */
  readonly accessLogPrefix: string;
  readonly lifecycleRules: s3.LifecycleRule[];
}

/** A bucket holding claim data: SSE-KMS with the customer-managed key, access-logged. */
export function dataBucketProps(input: DataBucketDefaultsInput): s3.BucketProps {
  return {
    ...SECURE_BUCKET_DEFAULTS,
    bucketName: input.bucketName,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: input.encryptionKey,
    // One KMS data key per bucket instead of per object: far fewer KMS calls on big batches.
    bucketKeyEnabled: true,
    serverAccessLogsBucket: input.accessLogs,
    serverAccessLogsPrefix: input.accessLogPrefix,
    lifecycleRules: input.lifecycleRules,
  };
}

/** The server access log bucket; its logs are the audit trail of PHI access, kept `retentionDays`. */
export function accessLogBucketProps(retentionDays: number): s3.BucketProps {
  return {
    ...SECURE_BUCKET_DEFAULTS,
    // S3 server access logging can only deliver to SSE-S3 buckets; SSE-KMS is not supported there.
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [currentVersionRule('access-logs', retentionDays)],
  };
}
