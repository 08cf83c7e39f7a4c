import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { createApp } from '../../infra/create-app.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** Bundling three functions takes a few seconds; one synthesis per test file. */
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

/**
 * Synthesizes the app as `cdk synth` does: cdk.json feature flags, plus `context` (as from `-c`).
 * `template` is the whole stage (see stageTemplate); `dataTemplate` and `statelessTemplate` are the two
 * stacks as deployed.
 */
export function synth(context: Record<string, unknown> = {}) {
  const built = createApp({ context: { ...cdkJson.context, ...context }, outdir: tempOutdir() });
  const assembly = built.app.synth();
  const dataTemplate = Template.fromStack(built.dataStack);
  const statelessTemplate = Template.fromStack(built.stack);
  return {
    ...built,
    assembly,
    dataTemplate,
    statelessTemplate,
    template: stageTemplate(dataTemplate, statelessTemplate),
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface TemplateJson {
  Resources: Record<string, Json>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
  [section: string]: unknown;
}

/**
 * The stage as one template: the resources of both stacks, with every `Fn::ImportValue` of the stateless
 * stack replaced by the value the data stack exports under that name. A reference then reads as it would
 * within one template (`{ Ref: <bucket> }`), whichever stack holds the resource. Outputs are the stateless
 * stack's: the stage's interface (the data stack's outputs are only its exports). Throws when a logical
 * id is in both stacks or an import has no export, so the merge cannot hide a broken reference.
 */
export function stageTemplate(data: Template, stateless: Template): Template {
  const dataJson = data.toJSON() as TemplateJson;
  const statelessJson = stateless.toJSON() as TemplateJson;
  const exported = new Map<string, Json>();
  for (const output of Object.values(dataJson.Outputs ?? {})) {
    if (output.Export) exported.set(output.Export.Name, output.Value);
  }
  const resolveImports = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolveImports);
    if (value === null || typeof value !== 'object') return value;
    const imported = value['Fn::ImportValue'];
    if (imported !== undefined) {
      const found = typeof imported === 'string' ? exported.get(imported) : undefined;
      if (found === undefined) throw new Error(`no export for ${JSON.stringify(imported)}`);
      return found;
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveImports(inner)]));
  };
  const resources: Record<string, Json> = { ...dataJson.Resources };
  for (const [id, definition] of Object.entries(statelessJson.Resources)) {
    if (id in resources) throw new Error(`logical id ${id} is in both stacks`);
    resources[id] = resolveImports(definition);
  }
  return Template.fromJSON({
    ...statelessJson,
    Resources: resources,
    Outputs: resolveImports((statelessJson.Outputs ?? {}) as Json),
  });
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

/** The logical id of `construct` in `stack`, which must be the stack that holds it. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  if (Stack.of(construct) !== stack) {
    throw new Error(`${construct.node.path} is not in ${stack.stackName}`);
  }
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
