/** Recognises a kept-alive upstream connection that was closed as it was reused: the one failure sent again at once. */

/** Codes of a connection closed under a request before any byte of an answer (undici, then Node's own client). */
const CLOSED_UNDER_REQUEST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * Whether `err` says the connection closed before the request got any answer: with Node's `reusedSocket`, an
 * upstream closing an idle keep-alive connection just as the bridge reuses it. Sending the request again on a new connection is safe then (nothing was
 * received, and servers close idle connections, not ones whose request they are working on); a timeout is not this.
 */
export function isClosedConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CLOSED_UNDER_REQUEST.has(code);
}

/**
 * {@link isClosedConnection} for an undici error, when the connection had answered before (it was reused): undici
 * says so by what the socket had read. A new connection closed under its first request is an upstream failure.
 */
export function isClosedOnReuse(err: unknown): boolean {
  const socket = (err as { socket?: { bytesRead?: unknown } } | null)?.socket;
  return isClosedConnection(err) && typeof socket?.bytesRead === 'number' && socket.bytesRead > 0;
}
