/** The HTTP client to one provider: a keep-alive connection pool (undici), abortable requests. */
import { Agent, errors } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { settlesWithin } from './deadline';
import { GatewayError } from '../errors';
import { armBodyDeadline, totalDeadlineError } from './attempt-deadline';
import { readBodyPrefix } from './body-prefix';
import { decodeBody } from './content-encoding';
import { isClosedOnReuse, markingConnector } from './stale-connection';
import type { UpstreamAbort } from './upstream-abort';

/** Upstream timeouts of one provider. */
export interface ProviderTimeouts {
  /** Time to open a TCP/TLS connection. Defaults to 10,000 ms. */
  connectMs?: number;
  /** Time from sending the request to the response headers (long for slow blocking answers). Defaults to 600,000 ms. */
  headersMs?: number;
  /** Longest silence between two body chunks of a response. Defaults to 300,000 ms. */
  idleMs?: number;
  /**
   * Longest one upstream attempt may take, from sending the request to the last byte of the answer (each call of the
   * tool loop is an attempt). Bounds an upstream that keeps a request, and its memory, alive by dripping bytes. Past
   * it: a `504` (`upstream_timeout`) before the first byte reached the client, one error event after. Defaults to
   * 1,800,000 ms (30 minutes: long reasoning streams of tens of thousands of output tokens must fit).
   */
  totalMs?: number;
}

/** An upstream response whose body has not been read yet. */
export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  /** Reads and throws away the body so the connection can be reused. */
  discard(): void;
  /** The body's first `maxBytes` (or all of it); `body` then replays them before the rest. */
  peekBody?(maxBytes: number): Promise<Buffer>;
}

/** A request to the upstream; `path` is relative to the client's origin. */
export interface UpstreamRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | string;
  /** Aborts the request: a signal, or the emitter an interception's attempts listen to. */
  signal: AbortSignal | UpstreamAbort;
}

const MALFORMED_ANSWER = new GatewayError({ status: 502, errorType: 'server_error', code: 'upstream_protocol_error', message: 'The upstream answered with a malformed HTTP response.' });

export class UpstreamClient {
  readonly origin: string;
  /** Path of the base URL (no trailing slash), prefixed to every request path. */
  readonly basePath: string;
  private readonly agent: Agent;
  private readonly totalMs: number;
  private readonly totalTimeout: GatewayError;

  constructor(baseURL: string, timeouts: Required<ProviderTimeouts>) {
    const url = new URL(baseURL);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.totalMs = timeouts.totalMs;
    this.totalTimeout = totalDeadlineError(timeouts.totalMs);
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connect: markingConnector(timeouts.connectMs),
      // The total deadline bounds the wait for the head too (see armBodyDeadline for the body).
      headersTimeout: Math.min(timeouts.headersMs, timeouts.totalMs),
      bodyTimeout: timeouts.idleMs,
    });
  }

  /** Sends one attempt; it is aborted with a 504 {@link GatewayError} if its answer is not over within `timeouts.totalMs`. */
  async send(req: UpstreamRequest): Promise<UpstreamResponse> {
    const startedAt = Date.now();
    const options = { origin: this.origin, path: req.path, method: req.method as 'POST', headers: req.headers, body: req.body, signal: req.signal };
    const res = await this.agent.request(options).catch((err: unknown) => {
      // A kept-alive connection the upstream closed as it was reused: once more, on a new connection (not a key's fault).
      if (!isClosedOnReuse(err) || req.signal.aborted) throw err;
      return this.agent.request(options);
    }).catch((err: unknown) => {
      // A head undici cannot parse is the upstream's fault, not a bug of the bridge's (its parser errors may carry no code).
      throw err instanceof errors.HTTPParserError ? MALFORMED_ANSWER : err;
    });
    const raw = res.body;
    armBodyDeadline(raw, startedAt, this.totalMs, this.totalTimeout);
    // What the bridge reads is what it scans and relays: an encoded answer (a hostile upstream ignoring identity) is decoded.
    const { body: original, headers } = decodeBody(raw, res.headers as IncomingHttpHeaders);
    const response: UpstreamResponse = {
      status: res.statusCode,
      headers,
      body: original,
      discard() {
        // A plain body is drained to keep the connection; a decoded or peeked one is cut (rare).
        if (response.body === raw) raw.dump().catch(() => undefined);
        else response.body.destroy();
      },
      async peekBody(maxBytes) {
        const { prefix, body } = await readBodyPrefix(response.body, maxBytes);
        response.body = body;
        return prefix;
      },
    };
    return response;
  }

  /** Lets running requests finish for at most `graceMs`, then destroys the pool's connections. */
  async close(graceMs = 0): Promise<void> {
    if (!(await settlesWithin(this.agent.close(), graceMs))) await settlesWithin(this.agent.destroy(), graceMs);
  }
}
