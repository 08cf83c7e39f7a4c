/**
 * Where the rules that need other lines meet their lines: a member's facts are grouped into sessions
 * and encounters and each rule list of rules/session.ts and rules/history.ts runs over them. A chunk
 * keeps only the facts these rules need (lines whose code some rule looks for, packed into numbers);
 * facts from any chunks, merged in any order, give the same findings as the whole batch.
 */
import { INDEX_CODE } from '../rules/catalog.js';
import { codesOf } from '../rules/code-sets.js';
import { MEMBER_RULES, type MemberContext, type PriorSession } from '../rules/history.js';
import { CODE_LIST_RULES, type CodeListRule, ENCOUNTER_RULES } from '../rules/session.js';
import type { CrossFact } from './cross-facts.js';
import { type Finding, finding } from './finding.js';
import { ascending, groupBy } from './grouping.js';
import { RelatedLines } from './related.js';

/** Member → sessions of earlier batches. */
export type SessionHistory = ReadonlyMap<string, readonly PriorSession[]>;

const isIndex = (fact: CrossFact): boolean => fact.code === INDEX_CODE;
const linesOf = (facts: readonly CrossFact[]): RelatedLines =>
  new RelatedLines(facts.map((fact) => fact.line).sort(ascending));

/** A code-list rule with its test for the listed kind. */
interface ListedKind extends CodeListRule {
  readonly isListed: (fact: CrossFact) => boolean;
}
const withKind = (within: CodeListRule['within']): readonly ListedKind[] =>
  CODE_LIST_RULES.filter((rule) => rule.within === within).map((rule) => {
    if (rule.isListed !== undefined) return { ...rule, isListed: rule.isListed };
    const codes = codesOf(rule.ruleId);
    return { ...rule, isListed: (fact: CrossFact) => codes.has(fact.code) };
  });
const ENCOUNTER_LISTS = withKind('encounter');
const SESSION_LISTS = withKind('session');

/** Cross-line findings of one member: `memberFacts` are all of the member's facts in the batch. */
export function evaluateMember(
  memberFacts: readonly CrossFact[],
  context: MemberContext,
  out: Finding[],
): void {
  if (!memberFacts.some(isIndex)) return;
  for (const session of groupBy(memberFacts, (fact) => fact.dos).values()) checkSession(session, out);
  for (const rule of MEMBER_RULES) rule(memberFacts, context, out);
}

function checkSession(session: readonly CrossFact[], out: Finding[]): void {
  const indexFacts = session.filter(isIndex);
  if (indexFacts.length === 0) return;
  const indexLines = linesOf(indexFacts);
  for (const encounter of groupBy(session, (fact) => fact.npi).values()) checkEncounter(encounter, out);
  flagListed(session, SESSION_LISTS, indexLines, out);
}

function checkEncounter(encounter: readonly CrossFact[], out: Finding[]): void {
  const indexFacts = encounter.filter(isIndex);
  const indexLines = linesOf(indexFacts);
  for (const rule of ENCOUNTER_RULES) rule(indexFacts, indexLines, out);
  if (indexFacts.length > 0) flagListed(encounter, ENCOUNTER_LISTS, indexLines, out);
}

/** Flags each fact of a rule's kind (and meeting its condition), related to `indexLines`. */
function flagListed(
  facts: readonly CrossFact[],
  rules: readonly ListedKind[],
  indexLines: RelatedLines,
  out: Finding[],
): void {
  for (const fact of facts) {
    for (const rule of rules) {
      if (rule.isListed(fact) && (rule.when === undefined || rule.when(fact)))
        out.push(finding(fact.line, rule.ruleId, indexLines.message(rule.message(fact)), indexLines.of()));
    }
  }
}
