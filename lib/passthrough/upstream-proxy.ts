/** One provider's passthrough proxy: http-proxy-middleware over one keep-alive agent, each attempt a promise. */
import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { createProxyMiddleware, type Plugin } from 'http-proxy-middleware';
import type { ProviderTimeouts } from '../providers/types';
import { isClosedConnection } from '../http/stale-connection';
import { outgoingRequest, type AttemptRequest } from './outgoing-request';
import { proxiedResponse, type ProxiedResponse } from './proxied-response';
import { armTimeouts } from './timeouts';

/** One upstream attempt: its outcome, and a way to stop it when the client leaves. */
export interface Attempt {
  response: Promise<ProxiedResponse>;
  resolve(r: ProxiedResponse): void;
  reject(err: unknown): void;
  proxyReq?: ClientRequest;
  cancelled?: boolean;
  /** Sends the attempt again on a new connection; present until used (once) or the answer's head arrived. */
  resend?: () => void;
}

/** Where and how long: the upstream's origin and its deadlines (`totalTimeout` is the error past `totalMs`). */
export interface ProxyTarget {
  origin: URL;
  timeouts: Required<ProviderTimeouts>;
  totalTimeout: Error;
}

/** The proxy of one provider (one keep-alive agent, made here once); `start` sends one attempt. */
export class UpstreamProxy {
  private readonly attempts = new WeakMap<IncomingMessage, Attempt>();
  private readonly agent: http.Agent;
  private readonly proxy: ReturnType<typeof createProxyMiddleware<Request, Response>>;

  constructor({ origin, timeouts, totalTimeout }: ProxyTarget) {
    // Parsed once here: http-proxy would re-parse a string target on every request.
    const target = { protocol: origin.protocol, hostname: origin.hostname, host: origin.host, port: origin.port };
    this.agent = origin.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.proxy = createProxyMiddleware<Request, Response>({
      target, changeOrigin: true, selfHandleResponse: true, ejectPlugins: true, plugins: [this.hooks(timeouts, totalTimeout)], agent: this.agent,
    });
  }

  /** Settles each attempt from http-proxy's events: its deadlines armed, its response, its failure (or one resend). */
  private hooks(timeouts: Required<ProviderTimeouts>, totalTimeout: Error): Plugin<Request, Response> {
    const { attempts } = this;
    return (proxyServer) => {
      // Headers and body are decided before http-proxy sees the request (see outgoingRequest); this only arms deadlines.
      proxyServer.on('proxyReq', (proxyReq: ClientRequest, req: Request) => {
        const attempt = attempts.get(req);
        if (!attempt) return;
        attempt.proxyReq = proxyReq;
        if (attempt.cancelled) proxyReq.destroy();
        else armTimeouts(proxyReq, timeouts, totalTimeout);
      });
      proxyServer.on('proxyRes', (message: IncomingMessage, req: Request) => {
        const attempt = attempts.get(req);
        if (!attempt) return;
        attempt.resend = undefined;
        attempt.resolve(proxiedResponse(message, req.method));
      });
      proxyServer.on('error', (err: Error, req: Request) => {
        const attempt = attempts.get(req);
        if (!attempt) return;
        const { resend, proxyReq } = attempt;
        // A kept-alive connection the upstream closed as it was reused: once more, on a new connection.
        if (resend && !attempt.cancelled && proxyReq?.reusedSocket && isClosedConnection(err)) {
          attempt.resend = undefined;
          attempt.proxyReq = undefined;
          return resend();
        }
        attempt.reject(err);
      });
      proxyServer.on('econnreset', (err: Error, req: Request) => attempts.get(req)?.reject(err));
    };
  }

  /** Sends `request` for the client's `req` (whose socket it borrows); the answer is relayed on `res` by the caller. */
  start(req: Request, res: Response, request: AttemptRequest): Attempt {
    const attempt = {} as Attempt;
    attempt.response = new Promise<ProxiedResponse>((resolve, reject) => {
      attempt.resolve = resolve;
      attempt.reject = reject;
    });
    const send = () => {
      const outgoing = outgoingRequest(req, request) as Request;
      this.attempts.set(outgoing, attempt);
      this.proxy(outgoing, res, attempt.reject).catch(attempt.reject);
    };
    attempt.resend = send;
    send();
    return attempt;
  }

  /** Ends the agent's kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
