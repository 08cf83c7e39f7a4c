import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PREFIX } from '../../functions/pipeline/topology.js';
import { stageStackName } from '../stack-names.js';
import { LeastPrivilegePolicy } from './least-privilege-policy.js';
import {
  dataKeyStatement,
  describeStackStatement,
  keyExistsStatement,
  keyPatternStatement,
  listStatement,
  objectStatement,
  tableKeyStatement,
  tableStatement,
} from './statements.js';

// Policies for people, to attach to the billing, auditor and history admin IAM groups or SSO permission
// sets. They live with the data: people keep their access while the functions are redeployed, and
// CloudFormation could not delete a policy that is still attached to a group anyway.

const WILDCARD_REASON =
  'Object ARNs scoped to one key prefix of one bucket (or to one file name under it); S3 object ' +
  'permissions need a *, and a stack ARN ends in its stack id.';

/** Every batch's summary.json and no other report file (batch ids hold no `/`). */
export const SUMMARY_KEY_PATTERN = `${PREFIX.reports}*/summary.json`;

export interface PeoplePolicyProps {
  /** Deployment stage; part of the policy name. */
  readonly stage: string;
  /** The customer-managed key the bucket (or table) is encrypted with. */
  readonly dataKey: kms.IKey;
}

export interface BillingUploaderPolicyProps extends PeoplePolicyProps {
  readonly intakeBucket: s3.IBucket;
  readonly reportsBucket: s3.IBucket;
}

/**
 * `scrub62323-<stage>-billing-uploader`: upload claim batches under incoming/ of the intake bucket, list
 * them, and read how each went (its summary.json, `scrub62323 reports status`): no other report file,
 * and no upload's content.
 */
export class BillingUploaderPolicy extends LeastPrivilegePolicy {
  constructor(scope: Construct, id: string, props: BillingUploaderPolicyProps) {
    const { stage, dataKey, intakeBucket, reportsBucket } = props;
    super(scope, id, {
      managedPolicyName: `scrub62323-${stage}-billing-uploader`,
      description: `Upload claim batches to ${PREFIX.incoming} of the scrub62323 ${stage} intake bucket and read their status`,
      wildcardReason: WILDCARD_REASON,
      statements: [
        // AbortMultipartUpload lets `aws s3 cp` clean up a failed large upload; it cannot read or delete.
        objectStatement('UploadBatches', ['s3:PutObject', 's3:AbortMultipartUpload'], intakeBucket, [
          PREFIX.incoming,
        ]),
        // Decrypt is needed because `aws s3 cp` uses multipart upload above 8 MB, and S3 decrypts the
        // parts' data key to assemble them. Without s3:GetObject it cannot be used to read anything.
        dataKeyStatement(dataKey, ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'], [intakeBucket]),
        // The uploads' names, times and versions: a batch id is derived from the version (or ETag).
        listStatement(
          'ListUploads',
          intakeBucket,
          [PREFIX.incoming],
          ['s3:ListBucket', 's3:ListBucketVersions'],
        ),
        keyPatternStatement('ReadBatchStatus', ['s3:GetObject'], reportsBucket, [SUMMARY_KEY_PATTERN]),
        // Whether a batch's summary exists yet: without it a summary not yet written reads as 403.
        keyExistsStatement('FindBatchStatus', reportsBucket, [SUMMARY_KEY_PATTERN]),
        dataKeyStatement(dataKey, ['kms:Decrypt'], [reportsBucket]),
        describeStackStatement('ReadStageOutputs', scope, stageStackName(stage)),
      ],
    });
  }
}

export interface AuditorPolicyProps extends PeoplePolicyProps {
  readonly reportsBucket: s3.IBucket;
}

/**
 * `scrub62323-<stage>-auditor`: list and read the report folders under reports/ (and read the stage's
 * outputs to find the bucket), nothing else.
 */
export class AuditorPolicy extends LeastPrivilegePolicy {
  constructor(scope: Construct, id: string, props: AuditorPolicyProps) {
    const { stage, dataKey, reportsBucket } = props;
    super(scope, id, {
      managedPolicyName: `scrub62323-${stage}-auditor`,
      description: `Read reports under ${PREFIX.reports} of the scrub62323 ${stage} reports bucket`,
      wildcardReason: WILDCARD_REASON,
      statements: [
        objectStatement('ReadReports', ['s3:GetObject'], reportsBucket, [PREFIX.reports]),
        listStatement('ListReports', reportsBucket, [PREFIX.reports]),
        dataKeyStatement(dataKey, ['kms:Decrypt'], [reportsBucket]),
        // `scrub62323 reports --stack` finds the bucket among the stage's outputs.
        describeStackStatement('ReadStageOutputs', scope, stageStackName(stage)),
      ],
    });
  }
}

export interface HistoryAdminPolicyProps extends PeoplePolicyProps {
  readonly historyTable: dynamodb.ITable;
}

/**
 * `scrub62323-<stage>-history-admin`: import prior sessions into the member history table and export it
 * (`scrub62323 history import`), nothing else. Besides the merge function, the only writer; no delete.
 */
export class HistoryAdminPolicy extends LeastPrivilegePolicy {
  constructor(scope: Construct, id: string, props: HistoryAdminPolicyProps) {
    const { stage, dataKey, historyTable } = props;
    super(scope, id, {
      managedPolicyName: `scrub62323-${stage}-history-admin`,
      description: `Import into and export the scrub62323 ${stage} member history table`,
      statements: [
        // DescribeTable checks the table before an import; Scan exports it; Query reads one member.
        tableStatement(
          'ImportExportHistory',
          ['dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchWriteItem'],
          historyTable,
        ),
        tableKeyStatement('UseHistoryTableKey', dataKey, ['kms:Decrypt'], historyTable),
      ],
    });
  }
}
