/** Per-actor MCP sessions: one client session per (server, actor), opened with that actor's headers, reused, closed when idle or past the bound. */
import { createHash } from 'node:crypto';
import type { Logger } from 'winston';
import { errorMessage } from '../observability/logger';
import { headerRecord, type McpServerSpec } from './mcp-options';
import type { McpServerConnection } from './mcp-server-connection';
import { credentialHeaderSecrets, type McpServerStatus } from './mcp-status';
import type { ToolContext, ToolInjectorAttachContext } from './types';

type HttpSpec = Extract<McpServerSpec, { kind: 'http' }>;
type SecretsSink = NonNullable<ToolInjectorAttachContext['secrets']>;

/** What the sessions need from the injector that owns them. */
export interface ActorSessionDeps {
  logger(): Logger;
  /** A connection to `spec` (with one actor's headers) that is not retried on failure; its log lines name `actor`. */
  connect(spec: HttpSpec, actor: string): McpServerConnection;
  /** The bridge's redaction rule, once attached: a session's header values are taught to it before first use. */
  secrets(): SecretsSink | undefined;
  sessionTtlMs: number;
  maxSessions: number;
  /** A failed session is opened again no sooner than this, in ms (a wrong token is not tried on every request). */
  retryMs: number;
  /** Bound of one call of a headers function, in ms. */
  headersTimeoutMs: number;
}

interface Session {
  readonly key: string;
  /** Its secrets' id in the redaction rule: unique per session, so that dropping an old one never forgets a new one's. */
  readonly secretsId: string;
  readonly serverName: string;
  /** A digest of the headers it was opened with: other headers (a refreshed token) open a new session. */
  readonly fingerprint: string;
  readonly connection: McpServerConnection;
  readonly ready: Promise<void>;
  usedAt: number;
}

/** Counts of one server's per-actor sessions, for `status()`. Never a credential, never an actor. */
export interface ActorSessionCounts {
  open: number;
  ready: number;
  failed: number;
}

function fingerprintOf(headers: Record<string, string>): string {
  const text = Object.keys(headers).sort().map((name) => `${name.toLowerCase()}\u0000${headers[name]}`).join('\u0001');
  return createHash('sha256').update(text).digest('base64');
}

/** The sessions of every per-actor server of one injector, in least-recently-used order. */
export class ActorSessions {
  private readonly sessions = new Map<string, Session>();
  private sweeper: NodeJS.Timeout | undefined;
  private opening = true;
  private serial = 0;

  constructor(private readonly deps: ActorSessionDeps) {}

  /**
   * `ctx.actor`'s connection to `spec`, opened with the headers `spec.headersOf` returns now (reused while they stay
   * the same), once its first connection attempt settled. Undefined when the function failed, the session failed, or
   * new sessions are no longer opened (shutting down); never rejects.
   */
  async acquire(spec: HttpSpec, ctx: ToolContext): Promise<McpServerConnection | undefined> {
    const headers = await this.headersOf(spec, ctx);
    if (!headers) return undefined;
    const key = `${spec.name}\u0000${ctx.actor.id}`;
    const fingerprint = fingerprintOf(headers);
    let session = this.sessions.get(key);
    if (session && (session.fingerprint !== fingerprint || this.retryDue(session))) {
      this.drop(session);
      session = undefined;
    }
    if (!session) {
      if (!this.opening) return undefined;
      session = this.open(spec, ctx.actor.id, key, fingerprint, headers);
    } else {
      this.touch(session);
    }
    await session.ready;
    return session.connection.connected ? session.connection : undefined;
  }

  /** Keeps serving the open sessions, but opens no new one (the host is shutting down). */
  stopOpening(): void {
    this.opening = false;
  }

  /** `spec`'s per-actor sessions as one server status: counts, the tools of the most recently used ready session, the latest error. */
  status(spec: HttpSpec, closed: boolean): McpServerStatus & { sessions: ActorSessionCounts } {
    const counts: ActorSessionCounts = { open: 0, ready: 0, failed: 0 };
    let latest: McpServerStatus | undefined;
    let lastError: McpServerStatus['lastError'];
    for (const session of this.sessions.values()) {
      if (session.serverName !== spec.name) continue;
      const s = session.connection.status();
      counts.open++;
      if (s.state === 'ready') {
        counts.ready++;
        latest = s; // sessions are in use order: the last ready one is the most recently used
      } else if (s.state === 'failed') counts.failed++;
      if (s.lastError && (!lastError || s.lastError.at > lastError.at)) lastError = s.lastError;
    }
    const state = closed ? 'closed' : counts.open > 0 && counts.ready === 0 && counts.failed > 0 ? 'failed' : 'ready';
    const out: McpServerStatus & { sessions: ActorSessionCounts } = {
      name: spec.name, url: spec.label, state, toolsListed: latest?.toolsListed ?? 0, toolsAllowed: latest?.toolsAllowed ?? 0, sessions: counts,
    };
    if (lastError) out.lastError = lastError;
    if (latest?.lastListedAt) out.lastListedAt = latest.lastListedAt;
    return out;
  }

  /** Closes every session (ending them on their servers) and opens no more. */
  async close(): Promise<void> {
    this.opening = false;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => this.end(s)));
  }

  private async headersOf(spec: HttpSpec, ctx: ToolContext): Promise<Record<string, string> | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.deps.headersTimeoutMs} ms`)), this.deps.headersTimeoutMs);
      });
      const returned = await Promise.race([spec.headersOf!({ actor: ctx.actor, providerName: ctx.providerName, model: ctx.model }), late]);
      const parsed = headerRecord.safeParse(returned);
      if (parsed.success) return parsed.data;
      throw new Error('it did not return an object of header names to strings');
    } catch (err) {
      // The error's text is the host's; the values it returned are never logged.
      this.deps.logger().warn('MCP headers function failed; the server\'s tools are left out of this request', {
        server: spec.name, actor: ctx.actor.id, error: errorMessage(err),
      });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private retryDue(session: Session): boolean {
    const failedAt = session.connection.failedAt;
    return failedAt !== undefined && Date.now() - failedAt >= this.deps.retryMs;
  }

  private open(spec: HttpSpec, actor: string, key: string, fingerprint: string, headers: Record<string, string>): Session {
    const actorSpec: HttpSpec = { ...spec, headers, headersOf: undefined };
    const secretsId = `mcp:${++this.serial}`;
    // Learned before the first byte is sent: an error, a log line or a record quoting the token is redacted.
    this.deps.secrets()?.learn(secretsId, credentialHeaderSecrets(headers));
    const connection = this.deps.connect(actorSpec, actor);
    const session: Session = { key, secretsId, serverName: spec.name, fingerprint, connection, ready: connection.start(), usedAt: Date.now() };
    this.sessions.set(key, session);
    while (this.sessions.size > this.deps.maxSessions) this.drop(this.sessions.values().next().value!);
    this.sweep();
    return session;
  }

  /** Marks `session` used now and moves it to the end of the use order. */
  private touch(session: Session): void {
    session.usedAt = Date.now();
    this.sessions.delete(session.key);
    this.sessions.set(session.key, session);
  }

  private drop(session: Session): void {
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
    void this.end(session);
    if (this.sessions.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private async end(session: Session): Promise<void> {
    await session.connection.close(true).catch(() => undefined);
    this.deps.secrets()?.forget(session.secretsId);
  }

  /** Starts the idle sweep while there are sessions: it closes those unused for `sessionTtlMs`. */
  private sweep(): void {
    if (this.sweeper) return;
    const every = Math.max(10, Math.min(this.deps.sessionTtlMs / 2, 60_000));
    this.sweeper = setInterval(() => {
      const idleSince = Date.now() - this.deps.sessionTtlMs;
      // In use order: the first session used recently enough ends the sweep.
      for (const session of [...this.sessions.values()]) {
        if (session.usedAt > idleSince) break;
        this.drop(session);
      }
    }, every);
    // A host that never calls close() must still be able to exit.
    this.sweeper.unref();
  }
}
