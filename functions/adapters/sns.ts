/** The pipeline's notifier (functions/pipeline/ports.ts) on SNS. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../pipeline/ports.js';

export function snsNotifier(client: SNSClient): Notifier {
  return {
    async publish(topicArn, message, attributes = {}) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: message,
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([name, value]) => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
      );
    },
  };
}
