/** The bytes (and UTF-16 code units: all ASCII) that RFC 4180 framing and splitting look for. */
export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const SPACE = 0x20;
export const TAB = 0x09;

/** The UTF-8 byte-order mark some exports start with; it is not part of the header. */
export const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
