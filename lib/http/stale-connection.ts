/** Recognises a kept-alive upstream connection that was closed as it was reused: the one failure sent again at once. */
import { buildConnector } from 'undici';

/** Set on a connection's error: how many bytes the connection had read when it failed (undici passes a reset on as it is). */
const READ_BEFORE_ERROR = Symbol('bytesReadBeforeError');

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
  if (!isClosedConnection(err)) return false;
  const e = err as { socket?: { bytesRead?: unknown }; [READ_BEFORE_ERROR]?: number };
  const read = e.socket?.bytesRead ?? e[READ_BEFORE_ERROR];
  return typeof read === 'number' && read > 0;
}

/**
 * undici's connector, with each connection's errors marked with what it had read by then: a reset (`ECONNRESET`)
 * reaches the request as the socket's own error, which says nothing of whether the connection was reused.
 */
export function markingConnector(timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: timeoutMs });
  return function markingConnect(options, callback) {
    connect(options, (err, socket) => {
      // Listening before undici does: the mark is on the error before undici hands it to the request.
      socket?.on('error', (error: Error & { [READ_BEFORE_ERROR]?: number }) => {
        error[READ_BEFORE_ERROR] ??= socket.bytesRead;
      });
      if (err) callback(err, null);
      else callback(null, socket!);
    });
  };
}
