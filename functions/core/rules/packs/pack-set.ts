/**
 * The packs of one batch, checked together (packs.md, "Which pack judges a line"): names unique,
 * each payer claimed by one pack at most, the default pack loaded, and not more packs than a batch
 * manifest should carry.
 */
import { RULE_SET_ID } from '../catalog.js';
import { type LoadedPack, RulePackError } from './pack-file.js';
import { PACK_NAME } from './schema.js';

export const MAX_PACKS = 64;

/**
 * How payers compare (packs.md): trimmed and case-insensitive, so " acme health" is "Acme Health";
 * the spaces inside a name are part of it. Accents compare as written whichever way they were
 * encoded (NFC): "Générale" typed on a Mac (e + combining accent) is the "Générale" of a pack.
 */
export function payerKey(payer: string): string {
  return payer.trim().normalize('NFC').toLowerCase();
}

/** Throws RulePackError naming every problem of the set; returns when the set is sound. */
export function checkPackSet(packs: readonly LoadedPack[], defaultName?: string): void {
  const problems = [
    ...(packs.length > MAX_PACKS ? [`${packs.length} packs loaded, at most ${MAX_PACKS} allowed`] : []),
    ...nameClashes(packs),
    ...payerClashes(packs),
    ...defaultProblems(packs, defaultName),
  ];
  if (problems.length > 0) throw new RulePackError('rule packs', problems);
}

function nameClashes(packs: readonly LoadedPack[]): string[] {
  const first = new Map<string, LoadedPack>();
  const problems: string[] = [];
  for (const pack of packs) {
    const earlier = first.get(pack.file.name);
    // Names passed the pack name pattern, so they are safe to print.
    if (earlier === undefined) first.set(pack.file.name, pack);
    else
      problems.push(
        `packs ${earlier.origin} and ${pack.origin} are both named ${JSON.stringify(pack.file.name)}`,
      );
  }
  return problems;
}

function payerClashes(packs: readonly LoadedPack[]): string[] {
  const claimedBy = new Map<string, LoadedPack>();
  const problems: string[] = [];
  for (const pack of packs) {
    // A pack naming one payer twice is no clash: only another pack's claim is.
    const keys = new Map((pack.file.payers ?? []).map((payer) => [payerKey(payer), payer]));
    for (const [key, payer] of keys) {
      const earlier = claimedBy.get(key);
      // Payer names are configuration, not claim data: printing them helps find the clash.
      if (earlier === undefined) claimedBy.set(key, pack);
      else
        problems.push(`packs ${earlier.origin} and ${pack.origin} both claim payer ${JSON.stringify(payer)}`);
    }
  }
  return problems;
}

function defaultProblems(packs: readonly LoadedPack[], defaultName: string | undefined): string[] {
  if (defaultName === undefined || defaultName === RULE_SET_ID) return [];
  if (packs.some((pack) => pack.file.name === defaultName)) return [];
  // The name may come from an upload's key: print it only when it could be a pack name at all.
  return [
    PACK_NAME.test(defaultName)
      ? `default pack ${JSON.stringify(defaultName)} is not among the loaded packs`
      : 'the default pack name is not a pack name (letters, digits, -, _ or ., at most 64)',
  ];
}
