/**
 * Lambda entry: validate. Configuration is read and checked once, at cold start; the handler itself
 * is functions/pipeline/validate.ts, run with the AWS SDK ports (the local runner runs it with its own).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoHistoryStore } from '../adapters/dynamo-history.js';
import { emfMetrics } from '../adapters/emf-metrics.js';
import { s3ObjectStore } from '../adapters/s3.js';
import { snsNotifier } from '../adapters/sns.js';
import { loadValidateConfig } from '../pipeline/config.js';
import { createLogger } from '../pipeline/log.js';
import { createValidateHandler } from '../pipeline/validate.js';

const config = loadValidateConfig(process.env);

export const handler = createValidateHandler({
  config,
  store: s3ObjectStore(new S3Client({})),
  ...(config.historyTable
    ? {
        history: dynamoHistoryStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), {
          tableName: config.historyTable,
        }),
      }
    : {}),
  ...(config.reportTopicArn ? { notifier: snsNotifier(new SNSClient({})) } : {}),
  logger: createLogger('validate', config.logLevel),
  metrics: emfMetrics(),
});
