/** Model name patterns of the `routes` option: exact names and `*` globs, compiled once and matched without a regex. */

/** A compiled pattern: tells whether a model name matches. */
export type ModelPattern = (model: string) => boolean;

/**
 * Compiles `pattern`: `*` stands for any run of characters (none included), every other character for itself, case
 * and all. Matching is one left-to-right scan (the leftmost place of each literal piece is always the right one), so
 * a long model name chosen by a client costs time in proportion to its length, never more.
 */
export function compileModelPattern(pattern: string): ModelPattern {
  if (!pattern.includes('*')) return (model) => model === pattern;
  const pieces = pattern.split('*');
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  const fixed = head.length + tail.length;
  return (model) => {
    if (model.length < fixed || !model.startsWith(head) || !model.endsWith(tail)) return false;
    let at = head.length;
    const end = model.length - tail.length;
    for (const piece of middle) {
      const found = model.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/** One matcher for several patterns: the model matches when any of them does. */
export function anyOf(patterns: readonly ModelPattern[]): ModelPattern {
  return patterns.length === 1 ? patterns[0] : (model) => patterns.some((p) => p(model));
}
