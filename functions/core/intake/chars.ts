/** The bytes (and UTF-16 code units: all ASCII) that RFC 4180 framing and splitting look for. */
export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const SPACE = 0x20;
export const TAB = 0x09;
