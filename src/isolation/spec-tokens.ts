import { InvalidOptionError } from '../errors.js';

/** A `name` was "quoted", so it is never a keyword. */
export type Token = { readonly kind: 'word' | 'name' | 'sql' | 'punct'; readonly text: string; readonly line: number };

/** The scanner trims only spaces, tabs, CR and FF at the ends of a { SQL } block: newlines stay. */
const BLOCK_EDGE = /^[ \t\r\f]+|[ \t\r\f]+$/g;

function quoted(source: string, start: number, line: number, origin: string): { text: string; end: number } {
  let text = '';
  for (let at = start + 1; at < source.length; at++) {
    const char = source[at];
    if (char === '\n') break;
    if (char !== '"') text += char;
    else if (source[at + 1] === '"') text += source[++at];
    else return { text, end: at + 1 };
  }
  throw new InvalidOptionError(`${origin}:${line}: a "quoted name is never closed`);
}

/** Splits a spec into words, { SQL } blocks and the punctuation of permutation markers, as the tester's scanner does. */
export function tokenize(source: string, origin: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  for (let at = 0; at < source.length; ) {
    const char = source[at] ?? '';
    if (char === '\n') line++;
    if (/\s/.test(char)) {
      at++;
    } else if (char === '#') {
      while (at < source.length && source[at] !== '\n') at++;
    } else if (char === '{') {
      const end = source.indexOf('}', at);
      if (end < 0) throw new InvalidOptionError(`${origin}:${line}: a { SQL block is never closed with }`);
      const text = source.slice(at + 1, end);
      tokens.push({ kind: 'sql', text: text.replace(BLOCK_EDGE, ''), line });
      line += (text.match(/\n/g) ?? []).length;
      at = end + 1;
    } else if (char === '(' || char === ')' || char === ',' || char === '*') {
      tokens.push({ kind: 'punct', text: char, line });
      at++;
    } else if (char === '"') {
      const { text, end } = quoted(source, at, line, origin);
      tokens.push({ kind: 'name', text, line });
      at = end;
    } else {
      const word = /^[^\s{}()",*#]+/.exec(source.slice(at))?.[0] ?? char;
      tokens.push({ kind: 'word', text: word, line });
      at += word.length;
    }
  }
  return tokens;
}
