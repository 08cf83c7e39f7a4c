import { Aws, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Object-level actions on the given key prefixes of a bucket. */
export function objectStatement(
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
 * Object-level actions on the keys matching the given IAM patterns, as they are (no trailing `*` added):
 * e.g. the summary.json of every report folder and no other file. IAM's `*` also spans `/`.
 */
export function keyPatternStatement(
  sid: string,
  actions: string[],
  bucket: s3.IBucket,
  patterns: string[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: patterns.map((pattern) => bucket.arnForObjects(pattern)),
  });
}

/**
 * ListBucket on a bucket, limited to the given key prefixes when there are any. The functions get it
 * unlimited: S3 answers a read of a missing key with 404 (which the handlers rely on) only to callers
 * allowed to list the bucket, and that check carries no s3:prefix to match a condition against.
 * `actions` may add s3:ListBucketVersions (the same s3:prefix condition applies to it).
 */
export function listStatement(
  sid: string,
  bucket: s3.IBucket,
  prefixes: string[] = [],
  actions: string[] = ['s3:ListBucket'],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: [bucket.bucketArn],
    ...(prefixes.length > 0
      ? { conditions: { StringLike: { 's3:prefix': prefixes.flatMap((prefix) => [prefix, `${prefix}*`]) } } }
      : {}),
  });
}

/**
 * ListBucket only with a prefix matching one of `patterns` as a whole (the summary.json of any batch): the
 * caller can ask whether one such key exists (a listing whose prefix is that key), and learns nothing
 * else. A caller without ListBucket gets 403, not 404, for a key that does not exist, so this is how it
 * tells "not written yet" from "refused".
 */
export function keyExistsStatement(sid: string, bucket: s3.IBucket, patterns: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': patterns } },
  });
}

/**
 * DescribeStacks on one stack of this account and region (any of its stack ids: a stack ARN ends in
 * one), to read its outputs.
 */
export function describeStackStatement(
  sid: string,
  scope: Construct,
  stackName: string,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['cloudformation:DescribeStacks'],
    resources: [
      Stack.of(scope).formatArn({
        service: 'cloudformation',
        resource: 'stack',
        resourceName: `${stackName}/*`,
      }),
    ],
  });
}

/** Data-key use limited to S3 and to the given buckets (encryption context = bucket ARN with bucket keys). */
export function dataKeyStatement(
  key: kms.IKey,
  actions: string[],
  buckets: s3.IBucket[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions,
    resources: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
      // The object ARN form covers objects written before bucket keys were enabled.
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': buckets.flatMap((b) => [b.bucketArn, b.arnForObjects('*')]),
      },
    },
  });
}

/** Item-level actions on one table: its ARN only, no index or stream. */
export function tableStatement(sid: string, actions: string[], table: dynamodb.ITable): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources: [table.tableArn] });
}

/**
 * Table-key use limited to DynamoDB acting on one table (DynamoDB puts the table name in the encryption
 * context). DynamoDB decrypts the table's key with the caller's credentials on reads and writes alike, so
 * kms:Decrypt is the one action a caller needs; creating the table is CloudFormation's business.
 */
export function tableKeyStatement(
  sid: string,
  key: kms.IKey,
  actions: string[],
  table: dynamodb.ITable,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: [key.keyArn],
    conditions: {
      StringEquals: {
        'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com`,
        'kms:EncryptionContext:aws:dynamodb:tableName': table.tableName,
      },
    },
  });
}

/** Key use limited to one service acting for the caller (SQS or SNS encrypting messages). */
export function serviceKeyStatement(
  sid: string,
  key: kms.IKey,
  actions: string[],
  via: 'sqs' | 'sns',
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions,
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `${via}.${Aws.REGION}.amazonaws.com` } },
  });
}

/** SendMessage to one queue. */
export function sendStatement(sid: string, queue: sqs.IQueue): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ['sqs:SendMessage'], resources: [queue.queueArn] });
}

/** Publish to one topic. */
export function publishStatement(sid: string, topic: sns.ITopic): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ['sns:Publish'], resources: [topic.topicArn] });
}
