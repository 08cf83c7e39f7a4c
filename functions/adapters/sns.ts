/** Telling subscribers something happened, and its SNS implementation. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface Notifier {
  publish(topicArn: string, message: string, attributes?: Readonly<Record<string, string>>): Promise<void>;
}

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
