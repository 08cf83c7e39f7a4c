import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import { snsNotifier } from '../../functions/adapters/sns.js';

it('publishes the message with string attributes', async () => {
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).resolves({ MessageId: '1' });
  await snsNotifier(new SNSClient({ region: 'us-east-1' })).publish('arn:aws:sns:us-east-1:1:t', '{"a":1}', {
    batchId: 'b1',
  });
  expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
    TopicArn: 'arn:aws:sns:us-east-1:1:t',
    Message: '{"a":1}',
    MessageAttributes: { batchId: { DataType: 'String', StringValue: 'b1' } },
  });
  sns.restore();
});
