/**
 * Checking what crosses a process boundary (SQS bodies, work files) against its zod schema. A
 * problem is told as `field: what was expected` and never quotes the value found: that value may be
 * claim data, and the sentence goes into logs and failure markers.
 */
import type { z } from 'zod';

/** What a schema gives, read-only all the way down: files and messages are facts, not state. */
export type ReadonlyDeep<T> = T extends readonly (infer Item)[]
  ? readonly ReadonlyDeep<Item>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
    : T;

/** The type a schema checks, read-only. */
export type Parsed<S extends z.ZodType> = ReadonlyDeep<z.infer<S>>;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  /** `field: problem`, or just the problem when the value as a whole is wrong. */
  | { readonly ok: false; readonly problem: string };

const KIND: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
};

const FORMAT: Readonly<Record<string, string>> = {
  datetime: 'a date-time',
  date: 'a YYYY-MM-DD date',
};

const listOf = (values: readonly unknown[]): string =>
  values.map((value) => JSON.stringify(value)).join(' or ');

function bound(issue: { origin: string; inclusive?: boolean }, limit: unknown, below: boolean): string {
  if (below && issue.origin === 'string' && limit === 1) return 'must not be empty';
  const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
  if (below) return `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${limit}${unit}`;
  return `expected ${issue.inclusive === false ? 'less than' : 'at most'} ${limit}${unit}`;
}

/** The words for one issue, from its code and what was expected (`input` only to tell "missing"). */
function problemOf(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'missing' : `expected ${KIND[issue.expected] ?? issue.expected}`;
    case 'invalid_format':
      return `expected ${FORMAT[issue.format] ?? issue.format}`;
    case 'invalid_value':
      return issue.input === undefined ? 'missing' : `expected ${listOf(issue.values)}`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options)
        ? `expected ${listOf(issue.options)}`
        : 'matches none of the forms allowed';
    case 'too_small':
      return bound(issue, issue.minimum, true);
    case 'too_big':
      return bound(issue, issue.maximum, false);
    case 'unrecognized_keys':
      return `unexpected field(s) ${issue.keys.join(', ')}`;
    default:
      return 'is not valid';
  }
}

/** `Records[0].s3.object.key` */
const fieldOf = (path: readonly PropertyKey[]): string =>
  path
    .map((step, at) => (typeof step === 'number' ? `[${step}]` : `${at === 0 ? '' : '.'}${String(step)}`))
    .join('');

/** `value` checked against `schema`; `at` is where the value sits in a larger one (for the field name). */
export function check<T>(schema: z.ZodType<T>, value: unknown, at: readonly PropertyKey[] = []): Checked<T> {
  const result = schema.safeParse(value, { error: problemOf });
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const field = fieldOf([...at, ...issue.path]);
  return { ok: false, problem: field === '' ? issue.message : `${field}: ${issue.message}` };
}

/** JSON text checked against a schema; 'not JSON' when it does not parse. */
export function checkJson<T>(schema: z.ZodType<T>, text: string): Checked<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text: never pass it on.
    return { ok: false, problem: 'not JSON' };
  }
  return check(schema, parsed);
}
