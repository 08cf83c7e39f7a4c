/** `scrub62323 rules` and `scrub62323 explain`: the active rule catalog, and one rule in full. */
import { parseDate } from '../../core/engine/values.js';
import type { Book, RuleBooks } from '../../core/rules/books.js';
import {
  type OptionRuleId,
  RULE_IDS,
  RULE_OPTIONS,
  RULE_SET_ID,
  RULES,
  type RuleId,
  type RuleOptions,
  sourceOf,
} from '../../core/rules/catalog.js';
import { explainRule } from '../../core/rules/describe.js';
import { type CommandIo, EXIT, parseCommandArgs, requireAsOf, UsageError } from '../io.js';
import { booksOfChoice, readPackChoice } from '../packs.js';

export const RULES_HELP = `Usage: scrub62323 rules [--rules FILE ...] [--as-of YYYY-MM-DD]

Lists the active rule catalog: id, severity, on/off, title and source, for the built-in rule set
${RULE_SET_ID} and for each rule pack given. A pack's settings are shown as they apply to dates of
service on the as-of date (default: today, UTC); a value a pack changed is marked with *.

Options:
  --rules FILE         a rule pack (JSON); repeat for more packs
  --as-of YYYY-MM-DD   the date of service to show dated pack entries for
  -h, --help           this help
`;

export const EXPLAIN_HELP = `Usage: scrub62323 explain <RULE_ID>

Prints a rule's full explanation: why payers deny it, what fires it, how to fix the claim, and its
sources. \`scrub62323 rules\` lists the rule ids.
`;

const today = (): string => new Date().toISOString().slice(0, 10);

export async function runRulesCommand(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(RULES_HELP);
    return EXIT.processed;
  }
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: { rules: { type: 'string', multiple: true }, 'as-of': { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError('rules takes no file; packs come with --rules FILE');
  const asOf = requireAsOf(values['as-of'] ?? today());
  const books = booksOfChoice(await readPackChoice(values.rules ?? [], undefined));
  io.stdout(catalogText(books, parseDate(asOf)!));
  return EXIT.processed;
}

/** Each pack's book on `day`, as a table; the built-in rule set first. */
export function catalogText(books: RuleBooks, day: number): string {
  const builtIn = books.bookOf('', undefined);
  const out: string[] = [];
  books.packs.forEach((pack, index) => {
    const book = index === 0 ? builtIn : books.bookOfPack(index, day);
    const title = index === 0 ? `Rule set ${pack.name}` : `Rule pack ${pack.name} (version ${pack.version})`;
    out.push(title, '');
    out.push(`  ${'rule'.padEnd(28)} ${'severity'.padEnd(8)} ${'on/off'.padEnd(7)} title — source`);
    for (const ruleId of RULE_IDS) out.push(ruleRow(ruleId, book, builtIn));
    out.push('');
  });
  return `${out.join('\n')}`;
}

const mark = (changed: boolean, text: string) => (changed ? `${text}*` : text);

function ruleRow(ruleId: RuleId, book: Book, builtIn: Book): string {
  const setting = book.rules[ruleId];
  const base = builtIn.rules[ruleId];
  const severity = mark(setting.severity !== base.severity, setting.severity);
  const onOff = mark(setting.enabled !== base.enabled, setting.enabled ? 'on' : 'off');
  const options = optionsText(ruleId, book, builtIn);
  return `  ${ruleId.padEnd(28)} ${severity.padEnd(8)} ${onOff.padEnd(7)} ${RULES[ruleId].title}${options} — ${sourceOf(ruleId)}`;
}

/** A rule's options in words, marked where the pack changed them; empty for rules without options. */
function optionsText(ruleId: RuleId, book: Book, builtIn: Book): string {
  if (!isOptionRule(ruleId)) return '';
  const words = (options: RuleOptions): string => {
    if (ruleId === 'FREQUENCY_EXCEEDED')
      return options.FREQUENCY_EXCEEDED.windows.map((w) => `${w.limit} in ${w.days} days`).join(', ');
    return `${options[ruleId].days} days`;
  };
  const text = words(book.options);
  return ` (${mark(text !== words(builtIn.options), text)})`;
}

const isOptionRule = (ruleId: RuleId): ruleId is OptionRuleId => Object.hasOwn(RULE_OPTIONS, ruleId);

export async function runExplainCommand(args: readonly string[], io: CommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args.length === 0) {
    io.stdout(EXPLAIN_HELP);
    return args.length === 0 ? EXIT.usage : EXIT.processed;
  }
  if (args.length !== 1) throw new UsageError('explain takes one rule id (see scrub62323 rules)');
  const wanted = args[0]!.trim().toUpperCase();
  const ruleId = RULE_IDS.find((id) => id === wanted);
  if (ruleId === undefined)
    throw new UsageError(`no rule ${JSON.stringify(args[0])} in ${RULE_SET_ID} (see scrub62323 rules)`);
  io.stdout(explainRule(ruleId));
  return EXIT.processed;
}
