/** Connect, first-byte, idle and total deadlines of one proxied upstream request, as the bridged routes have them. */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ProviderTimeouts } from '../providers/types';

function timeoutError(phase: string): Error {
  // ETIMEDOUT is what gatewayErrorForTransport maps to a 504.
  return Object.assign(new Error(`The upstream ${phase} timed out.`), { code: 'ETIMEDOUT' });
}

/**
 * Arms the deadlines on a request that just got its socket: `connectMs` until connected (TLS included),
 * then `headersMs` of silence until the response head, then `idleMs` between two body chunks.
 * Socket inactivity timers: Node returns the socket to the keep-alive pool with its own timeout afterwards.
 */
export function armTimeouts(proxyReq: ClientRequest, timeouts: Required<ProviderTimeouts>, totalTimeout: Error): void {
  armTotal(proxyReq, timeouts.totalMs, totalTimeout);
  const socket = proxyReq.socket;
  if (!socket) return;
  let phase = socket.connecting ? 'connection' : 'response';
  proxyReq.setTimeout(socket.connecting ? timeouts.connectMs : timeouts.headersMs, () => proxyReq.destroy(timeoutError(phase)));
  if (socket.connecting) {
    socket.once('encrypted' in socket ? 'secureConnect' : 'connect', () => {
      phase = 'response';
      proxyReq.setTimeout(timeouts.headersMs);
    });
  }
  proxyReq.once('response', () => {
    phase = 'response body';
    proxyReq.setTimeout(timeouts.idleMs);
  });
}

/**
 * `totalMs` from now until the answer is over: past it the request (before its response) or the response (while
 * its body arrives) is destroyed with `totalTimeout`, which the handler turns into a 504 or a cut connection.
 */
function armTotal(proxyReq: ClientRequest, totalMs: number, totalTimeout: Error): void {
  let response: IncomingMessage | undefined;
  const timer = setTimeout(() => (response ?? proxyReq).destroy(totalTimeout), totalMs);
  timer.unref();
  const clear = () => clearTimeout(timer);
  proxyReq.once('close', clear);
  proxyReq.once('response', (message: IncomingMessage) => {
    response = message;
    message.once('close', clear);
  });
}
