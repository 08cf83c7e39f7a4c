import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFIX } from '../../functions/pipeline/topology.js';
import type { Scrub62323DataStack } from '../../infra/data-stack.js';
import { addNagPacks } from '../../infra/nag.js';
import type { Scrub62323Stack } from '../../infra/stack.js';
import { logicalId, removeOutdirs, resource, SYNTH_TIMEOUT_MS, synth, tempOutdir } from './helpers.js';

let app: App;
let stack: Scrub62323Stack;
let dataStack: Scrub62323DataStack;
let nagPacks: NagPack[];
let assembly: CloudAssembly;
let template: Template;

// Synthesis itself runs the packs (registered by createApp) and throws on any unacknowledged error.
beforeAll(() => {
  ({ app, stack, dataStack, nagPacks, assembly, template } = synth());
}, SYNTH_TIMEOUT_MS);
afterAll(removeOutdirs);

/** Every acknowledgement in the tree: "<construct path> <rule id>" -> reason. */
function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${construct.node.path} ${id.replace(/^annotation::/i, '')}`, reason);
      }
    }
  }
  return found;
}

describe('cdk-nag', () => {
  it('runs the AwsSolutions and HIPAA.Security packs', () => {
    expect(nagPacks.map((pack) => pack.readPackName)).toEqual(['AwsSolutions', 'HIPAA.Security']);
  });

  it.each(['AwsSolutions', 'HIPAA.Security'])('%s: no unacknowledged finding, error or warning', (name) => {
    const pack = nagPacks.find((p) => p.readPackName === name);
    const findings = pack
      ?.validateScope(app)
      .violations.flatMap((v) =>
        v.violatingResources.map(
          (r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}: ${v.description}`,
        ),
      );
    expect(findings).toEqual([]);
  });

  it('leaves nothing in the validation report of the synthesized assembly (all plugins)', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.filter((r) => r.violations.length > 0)).toEqual([]);
  });

  it('fails synthesis on an unacknowledged finding (the packs are wired into synth, not just run here)', () => {
    const probe = new App({ outdir: tempOutdir() });
    new Bucket(new Stack(probe, 'Probe'), 'UnloggedBucket', { enforceSSL: true });
    addNagPacks(probe);
    expect(() => probe.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('acknowledges exactly the reviewed findings, each with a written reason next to its construct', () => {
    const path = (construct: IConstruct) => construct.node.path;
    const { buckets, peoplePolicies } = dataStack;
    const { functions } = stack;
    // The policies (functions' and people's) are in the data stack, with the buckets they name.
    const iam5 = (policy: string, bucket: IConstruct, prefix: string) =>
      `${dataStack.stackName}/${policy} AwsSolutions-IAM5[Resource::<${logicalId(dataStack, bucket)}.Arn>/${prefix}*]`;
    const expected = [
      `${path(buckets.accessLogs)} AwsSolutions-S1`,
      `${path(buckets.accessLogs)} HIPAA.Security-S3BucketLoggingEnabled`,
      `${path(buckets.accessLogs)} HIPAA.Security-S3DefaultEncryptionKMS`,
      ...Object.values(buckets).map((b) => `${path(b)} HIPAA.Security-S3BucketReplicationEnabled`),
      `${path(dataStack.historyTable)} HIPAA.Security-DynamoDBInBackupPlan`,
      ...Object.values(functions).flatMap((fn) => [
        `${path(fn)} HIPAA.Security-LambdaDLQ`,
        `${path(fn)} HIPAA.Security-LambdaInsideVPC`,
      ]),
      iam5('SplitPolicy', buckets.intake, PREFIX.incoming),
      iam5('SplitPolicy', buckets.work, PREFIX.work),
      iam5('SplitPolicy', buckets.work, PREFIX.packs),
      iam5('ValidatePolicy', buckets.work, PREFIX.work),
      iam5('MergePolicy', buckets.work, PREFIX.work),
      iam5('MergePolicy', buckets.work, PREFIX.history),
      iam5('MergePolicy', buckets.reports, PREFIX.reports),
      iam5(peoplePolicies.billingUploader.node.id, buckets.intake, PREFIX.incoming),
      iam5(peoplePolicies.auditor.node.id, buckets.reports, PREFIX.reports),
      // Billing reads each batch's summary.json, nothing else of a report.
      `${dataStack.stackName}/${peoplePolicies.billingUploader.node.id} AwsSolutions-IAM5[Resource::<${logicalId(dataStack, buckets.reports)}.Arn>/${PREFIX.reports}*/summary.json]`,
      // Both read their stage's outputs: a stack ARN ends in the stack's id.
      ...[peoplePolicies.billingUploader, peoplePolicies.auditor].map(
        (policy) =>
          `${dataStack.stackName}/${policy.node.id} AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${stack.stackName}/*]`,
      ),
    ];
    const acknowledged = acknowledgements(app);
    expect([...acknowledged.keys()].sort()).toEqual(expected.sort());
    for (const [finding, reason] of acknowledged) {
      expect(reason.length, finding).toBeGreaterThanOrEqual(30);
    }
  });

  it('writes the acknowledgements and reasons into the template metadata as an audit trail', () => {
    const metadata = resource(template, logicalId(dataStack, dataStack.buckets.accessLogs)).Metadata as {
      cdk_nag: { rules_to_suppress: { id: string; reason: string }[] };
    };
    expect(metadata.cdk_nag.rules_to_suppress.map((r) => r.id)).toContain(
      'HIPAA.Security-S3DefaultEncryptionKMS',
    );
  });
});
