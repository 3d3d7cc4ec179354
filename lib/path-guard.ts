/** Rejects request paths that try to climb out of a route: dot segments, plain or percent-encoded. */

// `%2e` / `%2f` / `%5c` have no business in a gateway route; backslashes are treated as slashes by some servers.
const ENCODED_OR_BACKSLASH = /%2e|%2f|%5c|\\/i;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

/** True when the path (no query string) contains `.`/`..` segments or encoded separators. */
export function isUnsafePath(path: string): boolean {
  return ENCODED_OR_BACKSLASH.test(path) || DOT_SEGMENT.test(path);
}
