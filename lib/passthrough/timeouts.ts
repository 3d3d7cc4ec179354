/** Connect, first-byte and idle deadlines of one proxied upstream request, as the bridged routes have them. */
import type { ClientRequest } from 'node:http';
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
export function armTimeouts(proxyReq: ClientRequest, timeouts: Required<ProviderTimeouts>): void {
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
