import { type App, Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack } from 'cdk-nag';
// Not re-exported by cdk-nag's index; used so acknowledged finding ids are spelled exactly as the rule spells them.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Registers the rule packs the stack must pass. cdk-nag 3 runs as a CDK policy-validation plugin
 * (`Validations.of(app).addPlugins`), so `cdk synth` fails on any unacknowledged error.
 */
export function addNagPacks(app: App): NagPack[] {
  const packs = [
    // Also copies every acknowledgement and its reason into the template Metadata (`cdk_nag`), so the
    // deployed stack carries its own audit trail. Set on one pack only: the aspect would run twice.
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new HIPAASecurityChecks(app),
  ];
  Validations.of(app).addPlugins(...packs);
  return packs;
}

/** Acknowledges one nag finding on a construct (and its children); the reason is written to the validation report. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard resource of `statement` (S3 object-prefix ARNs such as
 * `<bucket>/incoming/*`), on the policy that holds it. Actions are never wildcarded in this stack.
 */
export function acknowledgeWildcardResources(
  policy: IConstruct,
  statement: PolicyStatement,
  reason: string,
): void {
  for (const resource of statement.resources) {
    const flat = flattenCfnReference(Stack.of(policy).resolve(resource));
    if (flat.includes('*')) acknowledge(policy, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
  }
}
