/** Allowlisted passthrough routes: proxied with http-proxy-middleware, the pool key injected, failover by replay. */
import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { createProxyMiddleware, type Plugin } from 'http-proxy-middleware';
import { GatewayError, gatewayErrorForTransport } from '../errors';
import type { AttemptResult, AttemptTrace, Credential } from '../keypool/key-pool';
import { resolveActor } from '../intercept/actor';
import { readRawBody } from '../intercept/read-body';
import { relayResponseHeaders, sendGatewayError } from '../intercept/respond';
import { errorMessage } from '../observability/logger';
import type { BridgeRuntime, ProviderRuntime } from '../runtime';
import { PASSTHROUGH_STRIPPED_HEADERS } from '../upstream/headers';

/** One proxied attempt's response, judged by the key walk before it reaches the client. */
interface ProxiedResponse extends AttemptResult {
  message: IncomingMessage;
}

/** Per request: what the proxy hooks need to know, and where they report back. */
interface ProxyState {
  upstreamPath: string;
  body: Buffer | undefined;
  credential?: Credential;
  upstreamRequest?: ClientRequest;
  settle?: { resolve(r: ProxiedResponse): void; reject(err: unknown): void };
}

const BODYLESS = new Set(['GET', 'HEAD', 'DELETE']);

/** Builds the passthrough handler of one provider (one proxy, one keep-alive agent, made here once). */
export function createPassthroughHandler(provider: ProviderRuntime, bridge: BridgeRuntime) {
  const { adapter, client, keys } = provider;
  const states = new WeakMap<IncomingMessage, ProxyState>();
  const origin = new URL(client.origin);
  // Parsed once here: http-proxy would re-parse a string target on every request.
  const target = { protocol: origin.protocol, hostname: origin.hostname, host: origin.host, port: origin.port };
  const agent = origin.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });

  const hooks: Plugin<Request, Response> = (proxyServer) => {
    proxyServer.on('proxyReq', (proxyReq: ClientRequest, req: Request) => {
      const state = states.get(req)!;
      state.upstreamRequest = proxyReq;
      for (const name of proxyReq.getHeaderNames()) {
        if (PASSTHROUGH_STRIPPED_HEADERS.includes(name) || name.startsWith('x-forwarded-')) proxyReq.removeHeader(name);
      }
      for (const [name, value] of Object.entries(adapter.credentialHeaders(state.credential!.key))) proxyReq.setHeader(name, value);
      if (state.body) {
        // The client's stream was read once; every attempt replays the same bytes.
        proxyReq.setHeader('content-length', state.body.length);
        proxyReq.removeHeader('transfer-encoding');
        proxyReq.write(state.body);
      }
    });
    proxyServer.on('proxyRes', (message: IncomingMessage, req: Request) => {
      states.get(req)?.settle?.resolve({
        message,
        status: message.statusCode ?? 502,
        headers: message.headers,
        discard: () => message.resume(),
      });
    });
    proxyServer.on('error', (err: Error, req: Request) => {
      states.get(req)?.settle?.reject(err);
    });
  };

  const proxy = createProxyMiddleware<Request, Response>({
    target,
    changeOrigin: true,
    selfHandleResponse: true,
    ejectPlugins: true,
    plugins: [hooks],
    agent,
    proxyTimeout: adapter.timeouts.headersMs,
    pathRewrite: (_path, req) => states.get(req)!.upstreamPath,
  });

  function attempt(req: Request, res: Response, state: ProxyState, credential: Credential): Promise<ProxiedResponse> {
    return new Promise((resolve, reject) => {
      state.credential = credential;
      state.settle = { resolve, reject };
      proxy(req, res, reject).catch(reject);
    });
  }

  async function passthroughHandler(req: Request, res: Response, routePath: string): Promise<void> {
    const queryAt = req.url.indexOf('?');
    const state: ProxyState = {
      upstreamPath: client.basePath + routePath.slice(adapter.routePrefixInBaseURL.length) + (queryAt < 0 ? '' : req.url.slice(queryAt)),
      body: undefined,
    };
    states.set(req, state);
    let clientGone = false;
    res.once('close', () => {
      if (res.writableEnded) return;
      clientGone = true;
      state.upstreamRequest?.destroy();
      state.settle?.reject(new GatewayError(499, 'aborted', 'client_closed', 'The client went away.'));
    });
    // Left when the response is over, not when this function returns: the body is still being piped then.
    res.once('close', bridge.inflight.enter((reason) => {
      // close() stopped waiting for this request: cut the upstream, and answer 503 (or cut a body being relayed).
      state.upstreamRequest?.destroy();
      if (res.headersSent) res.destroy();
      else sendGatewayError(res, adapter, reason as GatewayError);
      state.settle?.reject(reason);
    }));
    try {
      await resolveActor(bridge.actor, req, bridge.logger);
      if (!BODYLESS.has(req.method)) state.body = await readRawBody(req, bridge.maxBodyBytes);
      const trace: AttemptTrace = { attempts: 0 };
      const upstream = await keys.plan(req.headers).run((credential) => attempt(req, res, state, credential), trace);
      res.statusCode = upstream.status;
      relayResponseHeaders(res, upstream.headers);
      const length = upstream.headers['content-length'];
      if (length !== undefined) res.setHeader('content-length', length);
      // An upstream that breaks mid-body must cut the client too, never leave it waiting for the rest.
      // (Not stream.pipeline: it builds an AbortController and a DOMException per response, ~3% of a request.)
      const message = upstream.message;
      message.once('error', (err) => {
        if (!clientGone) bridge.logger.warn('passthrough response broke', { provider: adapter.name, error: errorMessage(err) });
        res.destroy();
      });
      message.pipe(res);
    } catch (err) {
      if (clientGone) return;
      if (!(err instanceof GatewayError)) bridge.logger.warn('passthrough request failed', { provider: adapter.name, error: errorMessage(err) });
      sendGatewayError(res, adapter, err instanceof GatewayError ? err : gatewayErrorForTransport(err));
    }
  }

  return { handle: passthroughHandler, close: () => agent.destroy() };
}
