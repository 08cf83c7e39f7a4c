import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { historyTableDefinition } from '../../functions/adapters/dynamo-history.js';
import { acknowledge } from '../nag.js';

export interface HistoryTableProps {
  /** Part of the table name: `scrub62323-history-<stage>`. */
  readonly stage: string;
  /** Customer-managed key the table (and its point-in-time backups) is encrypted with. */
  readonly encryptionKey: kms.IKey;
}

const ATTRIBUTE_TYPES = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
} as const;

const attribute = (definition: { name: string; type: keyof typeof ATTRIBUTE_TYPES }): dynamodb.Attribute => ({
  name: definition.name,
  type: ATTRIBUTE_TYPES[definition.type],
});

/** `scrub62323-history-<stage>`: a deterministic name, as the buckets have. */
export const historyTableName = (stage: string): string => `scrub62323-history-${stage}`;

/**
 * The member history: one item per recorded session, keys and expiry as the adapter states them
 * (functions/adapters/dynamo-history.ts), so the code and the table cannot drift apart.
 *
 * On demand: batches arrive nightly in bursts, idle in between. SSE-KMS with the stage's data key, point-in-
 * time recovery, retained and deletion-protected. The fixed name makes a redeployed data stack fail on a
 * retained table (and lets `cdk import` adopt it) instead of starting an empty history beside it.
 */
export class HistoryTable extends dynamodb.Table {
  constructor(scope: Construct, id: string, props: HistoryTableProps) {
    const { partitionKey, sortKey, timeToLiveAttribute } = historyTableDefinition;
    super(scope, id, {
      tableName: historyTableName(props.stage),
      partitionKey: attribute(partitionKey),
      sortKey: attribute(sortKey),
      timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // PHI: outlives the stack, like the buckets; see the README, "Teardown".
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this,
      'HIPAA.Security-DynamoDBInBackupPlan',
      'Point-in-time recovery restores the table to any second of the last 35 days, and the table is ' +
        'retained and deletion-protected. Every record comes from an upload the intake bucket keeps for ' +
        'the report retention period. An AWS Backup plan (vault, key, schedule) is a deployment choice ' +
        'beyond that.',
    );
  }
}
