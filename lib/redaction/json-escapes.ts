/** A view of text with its JSON escapes decoded, mapped back to the original, so a key written as `\u0073k-…` can be found and cut. */

/** JSON's two-character escapes, by the character after the backslash. */
const SHORT: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** `decoded` with, per segment, where it starts in `decoded` and in the original; escapes are one-character segments. */
export interface UnescapedView {
  readonly decoded: string;
  readonly length: number;
  readonly dStarts: number[];
  readonly oStarts: number[];
  readonly literal: boolean[];
}

/**
 * Decodes `\uXXXX` and the short escapes of `text`. A run of backslashes before an escape counts as one escape,
 * so a key escaped inside a JSON string that is itself inside a JSON string (`\\u0073`) is found too: for
 * redaction, over-reading is the safe side. Undefined when the text has no escape at all.
 */
export function unescapedView(text: string): UnescapedView | undefined {
  let b = text.indexOf('\\');
  if (b === -1) return undefined;
  const parts: string[] = [];
  const view = { decoded: '', length: text.length, dStarts: [] as number[], oStarts: [] as number[], literal: [] as boolean[] };
  let d = 0;
  let pos = 0;
  const add = (piece: string, oStart: number, literal: boolean) => {
    view.dStarts.push(d);
    view.oStarts.push(oStart);
    view.literal.push(literal);
    parts.push(piece);
    d += piece.length;
  };
  while (b !== -1) {
    let j = b;
    while (text.charCodeAt(j) === 0x5c) j++;
    const next = text[j];
    let char: string | undefined;
    let end = j + 1;
    if (next === 'u' && HEX4.test(text.slice(j + 1, j + 5))) {
      char = String.fromCharCode(parseInt(text.slice(j + 1, j + 5), 16));
      end = j + 5;
    } else if (next !== undefined && SHORT[next] !== undefined && next !== '\\') {
      char = SHORT[next];
    } else if (j - b >= 2) {
      char = '\\'; // an escaped backslash, then whatever follows as it is
      end = b + 2;
    }
    if (char === undefined) {
      b = text.indexOf('\\', j);
      continue;
    }
    if (b > pos) add(text.slice(pos, b), pos, true);
    add(char, b, false);
    pos = end;
    b = text.indexOf('\\', pos);
  }
  if (pos < text.length) add(text.slice(pos), pos, true);
  view.decoded = parts.join('');
  return view;
}

/** Where decoded position `d` starts in the original text (`d` at the end maps to the original's end). */
export function originalOffset(view: UnescapedView, d: number): number {
  if (d >= view.decoded.length) return view.length;
  let lo = 0;
  let hi = view.dStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (view.dStarts[mid] <= d) lo = mid;
    else hi = mid - 1;
  }
  return view.literal[lo] ? view.oStarts[lo] + (d - view.dStarts[lo]) : view.oStarts[lo];
}
