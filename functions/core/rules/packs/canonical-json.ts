/**
 * Canonical JSON (RFC 8785 style, for the values packs hold): object keys sorted by UTF-16 code units
 * at every level, no white space, strings and numbers as JSON.stringify writes them (which is what
 * RFC 8785 prescribes for ECMAScript). Two files that say the same thing in another key order or
 * layout give the same text, so a pack's SHA-256 names its content, not its formatting.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // JSON has no NaN or Infinity; JSON.stringify would quietly write null.
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: numbers must be finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    // Default sort compares UTF-16 code units, as RFC 8785 orders keys. Undefined members are left
    // out, as JSON.stringify does.
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} is not a JSON value`);
}
