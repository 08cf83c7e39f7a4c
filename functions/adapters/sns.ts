/**
 * The pipeline's notifier (functions/pipeline/ports.ts) on SNS: one Publish with a message per
 * protocol (MessageStructure json; SNS hands each subscriber its protocol's message, or `default`).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../pipeline/ports.js';

export function snsNotifier(client: SNSClient): Notifier {
  return {
    async publish(topicArn, notice) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: notice.subject,
          MessageStructure: 'json',
          Message: JSON.stringify(notice.byProtocol),
          MessageAttributes: Object.fromEntries(
            Object.entries(notice.attributes).map(([name, value]) => [
              name,
              { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
      );
    },
  };
}
