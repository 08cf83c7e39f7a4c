import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import { snsNotifier } from '../../functions/adapters/sns.js';

it('publishes one message per protocol (MessageStructure json) with the subject and string attributes', async () => {
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).resolves({ MessageId: '1' });
  await snsNotifier(new SNSClient({ region: 'us-east-1' })).publish('arn:aws:sns:us-east-1:1:t', {
    subject: 'scrub62323: complete — b1',
    byProtocol: { default: '{"a":1}', email: 'Batch b1 is complete.\n' },
    attributes: { batchId: 'b1', status: 'complete' },
  });
  expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
    TopicArn: 'arn:aws:sns:us-east-1:1:t',
    Subject: 'scrub62323: complete — b1',
    MessageStructure: 'json',
    Message: JSON.stringify({ default: '{"a":1}', email: 'Batch b1 is complete.\n' }),
    MessageAttributes: {
      batchId: { DataType: 'String', StringValue: 'b1' },
      status: { DataType: 'String', StringValue: 'complete' },
    },
  });
  sns.restore();
});
