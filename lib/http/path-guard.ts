/** Refuses request paths that some layer between the client and the upstream could read as a different path. */

// Fast path: a path made only of these characters cannot be decoded or normalised into anything else.
const PLAIN = /^[A-Za-z0-9\-_.:~/@!$&'()*+,=]*$/;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;
// Encoded `.`, `/` and `\` never appear in the routes the bridge serves; a legitimate client has no use for them.
const ENCODED_SEPARATOR_OR_DOT = /%(?:2e|2f|5c)/i;
// `\` is a separator to some servers, `;` starts path parameters (`..;/` walks up in some Java stacks), controls cut paths.
const FORBIDDEN_CHAR = /[\\;\x00-\x1f\x7f]/;
// Deeper nesting than this is not an encoding a client produces by accident.
const MAX_DECODE_ROUNDS = 3;
const SENSITIVE = ['.', '/', '\\', ';', '%'];

function count(s: string, char: string): number {
  let n = 0;
  for (let at = s.indexOf(char); at >= 0; at = s.indexOf(char, at + 1)) n++;
  return n;
}

function unsafeForm(s: string): boolean {
  return FORBIDDEN_CHAR.test(s) || ENCODED_SEPARATOR_OR_DOT.test(s) || DOT_SEGMENT.test(s);
}

/**
 * True when the path (no query string) is ambiguous: `.`/`..` segments, encoded `.`/`/`/`\`, backslashes,
 * `;` parameters or control characters, in any form after up to three rounds of percent-decoding and Unicode
 * NFKC normalisation (fullwidth `．`, one-dot leader `․`, …); also malformed or too deeply nested encodings.
 */
export function isUnsafePath(path: string): boolean {
  if (PLAIN.test(path)) return DOT_SEGMENT.test(path);
  let current = path;
  for (let round = 0; ; round++) {
    if (unsafeForm(current)) return true;
    const normalized = current.normalize('NFKC');
    // NFKC must not create or remove structure: fullwidth `．` or `／` read as `.` or `/` by a normalising layer.
    if (normalized !== current && SENSITIVE.some((c) => count(normalized, c) !== count(current, c))) return true;
    if (current.indexOf('%') < 0) return false;
    if (round === MAX_DECODE_ROUNDS) return true;
    try {
      current = decodeURIComponent(current);
    } catch {
      return true; // a stray `%` or invalid UTF-8: servers disagree on what it means
    }
  }
}

/**
 * `/`-joined `segments`, each percent-encoded whole (so a `/` inside one is `%2F`); undefined when a segment is empty or
 * unsafe as a path of its own (dot segments, backslashes, `;`, control characters, in any form: see
 * {@link isUnsafePath}), so that no layer decoding `%2F` reads the result as another path.
 */
export function encodedSegmentsPath(segments: readonly unknown[]): string | undefined {
  let path = '';
  for (const segment of segments) {
    if (typeof segment !== 'string' || segment === '' || isUnsafePath(`/${segment}`)) return undefined;
    path += `/${encodeURIComponent(segment)}`;
  }
  return path === '' ? undefined : path;
}
