import { Validations } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

import type { AlarmNotification } from '../config';

/** Settings of a topic created for alarm e-mails. */
export interface EmailAlarmTopicProps {
  /** Address subscribed to the topic; AWS sends it a confirmation e-mail on the first deploy. */
  readonly email: string;
  /** Display name of the topic, shown as the sender of the e-mails. */
  readonly displayName: string;
}

/**
 * An SNS topic for alarm e-mails, encrypted with its own customer-managed key. CloudWatch cannot
 * publish to a topic encrypted with the AWS-managed `aws/sns` key, because that key's policy cannot
 * be changed to let CloudWatch use it.
 */
export class EmailAlarmTopic extends Construct {
  /** The topic that alarms publish to. */
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: EmailAlarmTopicProps) {
    super(scope, id);

    const key = new Key(this, 'Key', {
      description: `Encrypts the ${props.displayName} topic`,
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');

    this.topic = new Topic(this, 'Topic', {
      displayName: props.displayName,
      masterKey: key,
      enforceSSL: true,
    });
    const subscription = new EmailSubscription(props.email);
    this.topic.addSubscription(subscription);

    Validations.of(this.topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason: 'E-mail is a notification copy: a failed delivery loses no data, because the alarm state and history stay in CloudWatch.',
    });
  }
}

/**
 * Returns the topic that alarms notify: the configured existing topic, a new e-mail topic, or none.
 */
export function resolveAlarmTopic(
  scope: Construct,
  notification: AlarmNotification | undefined,
  displayName: string,
): ITopic | undefined {
  if (notification === undefined) {
    return undefined;
  }
  if ('topicArn' in notification) {
    return Topic.fromTopicArn(scope, 'AlarmTopic', notification.topicArn);
  }
  return new EmailAlarmTopic(scope, 'AlarmTopic', { email: notification.email, displayName }).topic;
}
