/**
 * Lambda entry: validate. Configuration is read and checked once, at cold start; the handler itself
 * is functions/pipeline/validate.ts, run with the AWS SDK ports (the local runner runs it with its own).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { emfMetrics } from '../adapters/emf-metrics.js';
import { s3ObjectStore } from '../adapters/s3.js';
import { sqsMessageSender } from '../adapters/sqs.js';
import { loadValidateConfig } from '../pipeline/config.js';
import { createLogger } from '../pipeline/log.js';
import { createValidateHandler } from '../pipeline/validate.js';

const config = loadValidateConfig(process.env);

export const handler = createValidateHandler({
  config,
  store: s3ObjectStore(new S3Client({})),
  sender: sqsMessageSender(new SQSClient({})),
  logger: createLogger('validate', config.logLevel),
  metrics: emfMetrics(),
});
