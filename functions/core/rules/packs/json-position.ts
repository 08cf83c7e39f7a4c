/**
 * Where a text stops being JSON, in our own words. V8's JSON.parse messages quote the text around the
 * fault and often give no position ("Unexpected token 'x', "…" is not valid JSON"), so a refused pack
 * names the place from this scanner instead. It only runs after JSON.parse has failed, and keeps an
 * explicit stack, so deeply nested input cannot overflow the call stack.
 */

export interface JsonFault {
  /** UTF-16 offset of the fault. */
  readonly offset: number;
  /** 1-based line and column (column in UTF-16 code units). */
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

type Expect = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd';

interface Scan {
  readonly text: string;
  index: number;
  expect: Expect;
  /** Open containers, innermost last: `{` or `[`. */
  readonly open: string[];
  /** With duplicate keys looked for: the keys of each open container so far (undefined for `[`). */
  readonly keys?: (Set<string> | undefined)[];
}

/** A reason, or undefined when the step succeeded (scan.index then points past what it read). */
type Step = string | undefined;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /[0-9A-Fa-f]{4}/y;

/** The first fault of `text` as JSON, or undefined when it is JSON. */
export function jsonFault(text: string): JsonFault | undefined {
  return scanJson({ text, index: 0, expect: 'value', open: [] });
}

/**
 * The first property name given twice in one object. JSON.parse keeps the last without a word, so
 * a rule set twice in a pack would silently lose its first settings.
 */
export function duplicateKey(text: string): JsonFault | undefined {
  return scanJson({ text, index: 0, expect: 'value', open: [], keys: [] });
}

function scanJson(scan: Scan): JsonFault | undefined {
  const { text } = scan;
  for (;;) {
    skipSpace(scan);
    if (scan.index >= text.length) {
      return scan.open.length === 0 && scan.expect === 'commaOrEnd'
        ? undefined
        : faultAt(text, scan.index, 'the file ends before the JSON does');
    }
    const start = scan.index;
    const reason = step(scan);
    if (reason !== undefined)
      return faultAt(text, Math.max(start, Math.min(scan.index, text.length)), reason);
  }
}

function step(scan: Scan): Step {
  switch (scan.expect) {
    case 'value':
    case 'valueOrEnd':
      return value(scan);
    case 'key':
    case 'keyOrEnd':
      return key(scan);
    case 'colon':
      return expectChar(scan, ':', 'value', "expected ':' after the property name");
    case 'commaOrEnd':
      return commaOrEnd(scan);
  }
}

function value(scan: Scan): Step {
  const char = scan.text[scan.index];
  if (char === ']' && scan.expect === 'valueOrEnd') return close(scan);
  if (char === '{' || char === '[') {
    scan.open.push(char);
    scan.keys?.push(char === '{' ? new Set() : undefined);
    scan.index += 1;
    scan.expect = char === '{' ? 'keyOrEnd' : 'valueOrEnd';
    return undefined;
  }
  scan.expect = 'commaOrEnd';
  if (char === '"') return string(scan);
  if (char === '-' || (char !== undefined && char >= '0' && char <= '9'))
    return sticky(scan, NUMBER, 'malformed number');
  const literal = LITERALS.find((word) => scan.text.startsWith(word, scan.index));
  if (literal === undefined) return 'expected a value';
  scan.index += literal.length;
  return undefined;
}

function key(scan: Scan): Step {
  const char = scan.text[scan.index];
  if (char === '}' && scan.expect === 'keyOrEnd') return close(scan);
  if (char !== '"') return 'expected a property name in double quotes';
  scan.expect = 'colon';
  const opening = scan.index;
  const fault = string(scan);
  const seen = scan.keys?.at(-1);
  if (fault !== undefined || seen === undefined) return fault;
  // A whole, well-formed string: JSON.parse gives its value (escapes read), as the pack's parse did.
  const name = String(JSON.parse(scan.text.slice(opening, scan.index)));
  if (seen.has(name)) {
    scan.index = opening;
    return 'a property name given twice in one object (only the last would count)';
  }
  seen.add(name);
  return undefined;
}

function commaOrEnd(scan: Scan): Step {
  const inside = scan.open.at(-1);
  if (inside === undefined) return 'unexpected text after the JSON value';
  const char = scan.text[scan.index];
  if (char === ',') {
    scan.index += 1;
    scan.expect = inside === '{' ? 'key' : 'value';
    return undefined;
  }
  if (char === (inside === '{' ? '}' : ']')) return close(scan);
  return inside === '{' ? "expected ',' or '}'" : "expected ',' or ']'";
}

function close(scan: Scan): Step {
  scan.open.pop();
  scan.keys?.pop();
  scan.index += 1;
  scan.expect = 'commaOrEnd';
  return undefined;
}

function expectChar(scan: Scan, char: string, next: Expect, reason: string): Step {
  if (scan.text[scan.index] !== char) return reason;
  scan.index += 1;
  scan.expect = next;
  return undefined;
}

function sticky(scan: Scan, pattern: RegExp, reason: string): Step {
  pattern.lastIndex = scan.index;
  if (!pattern.test(scan.text)) return reason;
  scan.index = pattern.lastIndex;
  return undefined;
}

/** A string from its opening quote; on a fault, scan.index is where it is. */
function string(scan: Scan): Step {
  const { text } = scan;
  const opening = scan.index;
  let index = opening + 1;
  while (index < text.length) {
    const char = text.charCodeAt(index);
    if (char === 0x22) {
      scan.index = index + 1;
      return undefined;
    }
    if (char < 0x20) {
      scan.index = index;
      return 'control character inside a string (use \\n, \\t, …)';
    }
    if (char === 0x5c) {
      const reason = escapeFault(text, index);
      if (reason !== undefined) {
        scan.index = index;
        return reason;
      }
      index += text[index + 1] === 'u' ? 6 : 2;
    } else {
      index += 1;
    }
  }
  scan.index = opening;
  return 'string is never closed';
}

function escapeFault(text: string, backslash: number): Step {
  const letter = text[backslash + 1];
  if (letter === 'u') {
    HEX4.lastIndex = backslash + 2;
    return HEX4.test(text) ? undefined : 'bad \\u escape (four hex digits expected)';
  }
  return letter !== undefined && ESCAPES.has(letter) ? undefined : 'bad escape in a string';
}

function skipSpace(scan: Scan): void {
  const { text } = scan;
  while (scan.index < text.length) {
    const char = text.charCodeAt(scan.index);
    if (char !== 0x20 && char !== 0x09 && char !== 0x0a && char !== 0x0d) return;
    scan.index += 1;
  }
}

function faultAt(text: string, offset: number, reason: string): JsonFault {
  let line = 1;
  let lineStart = 0;
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  ) {
    line += 1;
    lineStart = index + 1;
  }
  return { offset, line, column: offset - lineStart + 1, reason };
}
