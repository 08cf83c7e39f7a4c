import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { createApp } from '../../infra/create-app.js';
import type { Scrub62323Stack } from '../../infra/stack.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** Bundling two functions takes a few seconds; one synthesis per test file. */
export const SYNTH_TIMEOUT_MS = 120_000;

const outdirs: string[] = [];

/** A cloud assembly directory for one App; removed by removeOutdirs() (call it in afterAll). */
export function tempOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scrub62323-cdk-test-'));
  outdirs.push(dir);
  return dir;
}

export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Synthesizes the app as `cdk synth` does: cdk.json feature flags, plus `context` (as from `-c`). */
export function synth(context: Record<string, unknown> = {}) {
  const built = createApp({ context: { ...cdkJson.context, ...context }, outdir: tempOutdir() });
  const assembly = built.app.synth();
  return { ...built, assembly, template: Template.fromStack(built.stack) };
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function logicalId(stack: Scrub62323Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export function resource(template: Template, id: string): CfnResource {
  const found = template.toJSON().Resources[id] as CfnResource | undefined;
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found;
}

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

/** `{ 'Fn::GetAtt': ['Bucket', 'Arn'] }` + '/incoming/*' -> `<Bucket.Arn>/incoming/*` (cdk-nag's notation). */
export const flat = (value: unknown): string => flattenCfnReference(value);

/** The statements of a policy document held by a resource property. */
export function statementsOf(policy: CfnResource): Statement[] {
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

/** Every "<action> <resource>" pair an Allow policy grants, sorted: a whole policy in one comparable list. */
export function grants(statements: Statement[]): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) =>
      asArray(s.Action).flatMap((action) => asArray(s.Resource).map((r) => `${action} ${flat(r)}`)),
    )
    .sort();
}

/** Whether the template fragment mentions the logical id (as Ref or GetAtt target). */
export const mentions = (value: unknown, id: string): boolean =>
  (JSON.stringify(value) ?? '').includes(`"${id}"`);
