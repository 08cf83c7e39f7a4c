import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface NotificationTopicProps {
  /** Shown in email notifications; the stage is appended. */
  readonly displayName: string;
  readonly stage: string;
  /** Encrypts messages at rest. */
  readonly masterKey: kms.IKey;
  /**
   * Subscribed by email.
   * @default - no subscription
   */
  readonly email?: string;
}

/** An SSE-KMS, TLS-only topic, with an optional email subscriber. */
export class NotificationTopic extends sns.Topic {
  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id, {
      displayName: `${props.displayName} (${props.stage})`,
      masterKey: props.masterKey,
      enforceSSL: true,
    });
    // Email leaves AWS unencrypted: messages carry batch ids and report locations, never claim data.
    if (props.email) this.addSubscription(new EmailSubscription(props.email));
  }

  /** Lets CloudWatch alarms of this account publish here (the key policy must allow CloudWatch too). */
  allowCloudWatchAlarms(): void {
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }
}
