/**
 * zod issues as plain problems: `<JSON path>: <what is wrong>`, e.g.
 * `rules.FREQUENCY_EXCEEDED.windows[0].days: must be 1–3650, got 0`. The words are ours, not zod's;
 * a value is echoed only when it is a number or a boolean, never text from the file (a pack may hold
 * anything). Keys in paths are printed, quoted and cut short when they are not plain identifiers.
 */
import { z } from 'zod';
import { DATE_WORDS, NOT_BLANK, PACK_NAME } from './schema.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];
type Schema = z.core.$ZodType;

const NAME_WORDS = 'must be letters, digits, -, _ or . (at most 64)';
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};
const PATTERN_WORDS: ReadonlyMap<string, string> = new Map([
  [String(PACK_NAME), NAME_WORDS],
  [String(NOT_BLANK), 'must not be empty'],
]);

/** Every problem the issues name, in their order, each once. */
export function problemsOf(issues: readonly Issue[], schema: Schema): string[] {
  const problems = new Set<string>();
  walk(issues, [], schema, (path, words) => problems.add(`${formatPath(path)}: ${words}`));
  return [...problems];
}

type Report = (path: Path, words: string) => void;

function walk(issues: readonly Issue[], prefix: Path, schema: Schema, report: Report): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) report([...path, key], unknownKeyWords(path));
    } else if (issue.code === 'invalid_union') {
      // A branch that failed only on its root type is not what the author meant; the one that got
      // further names the real problem (a list given as an array, say, with a bad entry).
      const meant = issue.errors.filter((branch) => !branch.every(isRootTypeIssue));
      if (meant.length === 1 && meant[0] !== undefined) walk(meant[0], path, schema, report);
      else report(path, unionWords(issue));
    } else {
      report(path, issueWords(issue, path, schema));
    }
  }
}

const isRootTypeIssue = (issue: Issue): boolean => issue.code === 'invalid_type' && issue.path.length === 0;

function unknownKeyWords(parent: Path): string {
  if (parent.length === 1 && parent[0] === 'rules') return 'unknown rule id';
  if (parent.length === 2 && parent[0] === 'rules') return 'unknown option';
  if (parent.length === 1 && parent[0] === 'lists') return 'unknown list';
  return 'unknown field';
}

function unionWords(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = issue.errors.flatMap((branch) =>
    branch.flatMap((inner) =>
      inner.code === 'invalid_type' ? [TYPE_WORDS[inner.expected] ?? inner.expected] : [],
    ),
  );
  return expected.length === 0 ? 'is not valid' : `must be ${orList(expected)}, got ${kindOf(issue.input)}`;
}

function issueWords(issue: Issue, path: Path, schema: Schema): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${kindOf(issue.input)}`;
    case 'too_small':
    case 'too_big':
      return sizeWords(issue, boundsAt(schema, path));
    case 'invalid_format':
      if (issue.format === 'date') return DATE_WORDS;
      return (
        (issue.pattern === undefined ? undefined : PATTERN_WORDS.get(issue.pattern)) ?? 'has the wrong form'
      );
    case 'invalid_value':
      return `must be ${orList(issue.values.map(String))}`;
    case 'custom':
      // Our own refinements: the message is ours.
      return issue.message;
    default:
      return 'is not valid';
  }
}

interface Bounds {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

function sizeWords(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, bounds: Bounds): string {
  const { input } = issue;
  const range = rangeWords(bounds);
  if (issue.origin === 'array') {
    const got = Array.isArray(input) ? `, got ${input.length}` : '';
    return range === undefined ? `has the wrong number of entries${got}` : `must have ${range} entries${got}`;
  }
  if (issue.origin === 'string') return 'must not be empty';
  const got = typeof input === 'number' ? `, got ${input}` : '';
  // Past a bound nobody chose (the safe-integer range of a whole number): no range to name.
  const crossed = issue.code === 'too_big' ? bounds.max : bounds.min;
  if (range === undefined || crossed === undefined) {
    return `${issue.code === 'too_big' ? 'is too large' : 'is too small'}${got}`;
  }
  return `must be ${range}${got}`;
}

function rangeWords({ min, max }: Bounds): string | undefined {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `at least ${min}`;
  return max === undefined ? undefined : `at most ${max}`;
}

/** The bounds the schema sets at `path` (zod's issue carries only the one that was crossed). */
function boundsAt(schema: Schema, path: Path): Bounds {
  const leaf = schemaAt(schema, path);
  if (!(leaf instanceof z.ZodNumber || leaf instanceof z.ZodArray)) return {};
  const json = z.toJSONSchema(leaf, { io: 'input', unrepresentable: 'any' });
  // The safe-integer limits of z.int() are not limits anyone chose.
  const chosen = (bound: number | undefined) =>
    bound === undefined || Math.abs(bound) >= Number.MAX_SAFE_INTEGER ? undefined : bound;
  return { min: chosen(json.minimum ?? json.minItems), max: chosen(json.maximum ?? json.maxItems) };
}

function schemaAt(schema: Schema, path: Path): Schema | undefined {
  let node: Schema | undefined = unwrap(schema);
  for (const key of path) node = node === undefined ? undefined : childOf(node, key);
  return node;
}

function childOf(node: Schema, key: PropertyKey): Schema | undefined {
  if (node instanceof z.ZodObject && typeof key === 'string') {
    const shape: Readonly<Record<string, Schema>> = node.shape;
    return Object.hasOwn(shape, key) ? unwrap(shape[key]) : undefined;
  }
  if (node instanceof z.ZodArray && typeof key === 'number') return unwrap(node.element);
  if (node instanceof z.ZodUnion) {
    const options: readonly Schema[] = node.options;
    for (const option of options) {
      const inner = unwrap(option);
      const child = inner === undefined ? undefined : childOf(inner, key);
      if (child !== undefined) return child;
    }
  }
  return undefined;
}

function unwrap(node: Schema | undefined): Schema | undefined {
  let inner = node;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) {
    const next: Schema = inner.unwrap();
    inner = next;
  }
  return inner;
}

/** What a value is, in words; only numbers and booleans are shown as themselves. */
function kindOf(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (typeof value === 'string') return 'text';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function orList(words: readonly string[]): string {
  const distinct = [...new Set(words)];
  if (distinct.length <= 1) return distinct[0] ?? '';
  return `${distinct.slice(0, -1).join(', ')} or ${distinct.at(-1)}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEY_SHOWN = 40;

/** `rules.FREQUENCY_EXCEEDED.windows[0].days`; the top level itself is `(top level)`. */
export function formatPath(path: Path): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (IDENTIFIER.test(name) && name.length <= KEY_SHOWN) return index === 0 ? name : `.${name}`;
      const shown = name.length > KEY_SHOWN ? `${name.slice(0, KEY_SHOWN)}…` : name;
      return `[${JSON.stringify(shown)}]`;
    })
    .join('');
}
