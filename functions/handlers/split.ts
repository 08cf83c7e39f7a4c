/**
 * Lambda entry: split. Configuration is read and checked once, at cold start; the handler itself is
 * functions/pipeline/split.ts, run with the AWS SDK ports (the local runner runs it with its own).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { s3ObjectStore } from '../adapters/s3.js';
import { sqsMessageSender } from '../adapters/sqs.js';
import { loadSplitConfig } from '../pipeline/config.js';
import { createLogger } from '../pipeline/log.js';
import { createSplitHandler } from '../pipeline/split.js';

const config = loadSplitConfig(process.env);

export const handler = createSplitHandler({
  config,
  store: s3ObjectStore(new S3Client({})),
  sender: sqsMessageSender(new SQSClient({})),
  logger: createLogger('split', config.logLevel),
});
