/**
 * Lambda entry: merge. Configuration is read and checked once, at cold start; the handler itself
 * is functions/pipeline/shard-merge.ts, run with the AWS SDK ports (the local runner runs it with its
 * own). A render and the assembly spill findings to /tmp, Lambda's ephemeral storage.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoHistoryStore } from '../adapters/dynamo-history.js';
import { emfMetrics } from '../adapters/emf-metrics.js';
import { s3ObjectStore } from '../adapters/s3.js';
import { snsNotifier } from '../adapters/sns.js';
import { openFileSpill } from '../adapters/spill-files.js';
import { sqsMessageSender } from '../adapters/sqs.js';
import { loadMergeConfig } from '../pipeline/config.js';
import { createLogger } from '../pipeline/log.js';
import { createMergeHandler } from '../pipeline/shard-merge.js';

const config = loadMergeConfig(process.env);

export const handler = createMergeHandler({
  config,
  store: s3ObjectStore(new S3Client({})),
  sender: sqsMessageSender(new SQSClient({})),
  ...(config.historyTable
    ? {
        history: dynamoHistoryStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), {
          tableName: config.historyTable,
        }),
      }
    : {}),
  ...(config.reportTopicArn ? { notifier: snsNotifier(new SNSClient({})) } : {}),
  logger: createLogger('merge', config.logLevel),
  metrics: emfMetrics(),
  openSpill: () => openFileSpill(1, '/tmp'),
});
