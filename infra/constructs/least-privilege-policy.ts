import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../nag.js';

export interface LeastPrivilegePolicyProps extends iam.ManagedPolicyProps {
  /**
   * Why the statements' wildcard resources (S3 object-prefix ARNs such as `<bucket>/incoming/*`) are as
   * narrow as they can be; recorded with the AwsSolutions-IAM5 acknowledgement of each one.
   * @default - none: a wildcard resource is left to cdk-nag, which fails the synth
   */
  readonly wildcardReason?: string;
}

/**
 * A customer-managed policy whose only wildcards are S3 object prefixes, each acknowledged with a reason.
 * Actions are never wildcarded and no statement names Resource "*" (the tests pin both).
 */
export class LeastPrivilegePolicy extends iam.ManagedPolicy {
  constructor(scope: Construct, id: string, props: LeastPrivilegePolicyProps) {
    const { wildcardReason, ...policyProps } = props;
    super(scope, id, policyProps);
    if (wildcardReason === undefined) return;
    for (const statement of props.statements ?? []) {
      acknowledgeWildcardResources(this, statement, wildcardReason);
    }
  }
}
