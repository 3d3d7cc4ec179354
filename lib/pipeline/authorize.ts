/** Authorization before spend: the host's `authorize` hook, run once per request before any upstream call or key use. */
import type { Request } from 'express';
import type { Actor } from '../http/actor-types';
import { askHook } from './ask-hook';
import { AUTHORIZE_FAILED, counted, deniedRefusal } from './refusals';
import type { BridgeRuntime, ProviderRuntime } from './runtime';
import type { Interception } from './interception';
import { bridgedContext } from './guard';

/** What the hook knows of a bridged request (chat completions, Responses, Messages), once its body was read. */
export interface BridgedAuthorization {
  /** The interception's id, as recorded and sent back in `x-aibridge-interception-id`. */
  id: string;
  actor: Actor;
  /** The provider's name (its route prefix), e.g. `openai`. */
  providerName: string;
  /** The API: `chat-completions`, `responses` or `messages`. */
  api: string;
  /** The model the request names. */
  model: string;
  streaming: boolean;
  /** The AI client recognised from the request (`claude-code`, `codex`, `openai-node`, …), if any. */
  client?: string;
  /** The bridged route, relative to the provider's prefix, e.g. `/v1/chat/completions`. */
  route: string;
  /** The model route (`routes`) that chose this provider, when the request came through one; `providerName` is the provider tried. */
  routedBy?: string;
}

/** What the hook knows of a passthrough request (`GET /v1/models`, …), before its body is read. */
export interface PassthroughAuthorization {
  actor: Actor;
  providerName: string;
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** The allowlist entry the request matched, e.g. `/v1/models/:id`: one value per route, whatever the ids. */
  route: string;
  /** The request's path relative to the provider's prefix, without the query, e.g. `/v1/models/gpt-4o`. */
  path: string;
}

/** The argument of the `authorize` hook; `kind` tells a bridged request from a passthrough one. */
export type AuthorizeContext =
  | { kind: 'bridged'; interception: BridgedAuthorization; req: Request }
  | { kind: 'passthrough'; interception: PassthroughAuthorization; req: Request };

/** `true` or `{ allow: true }` admits; `false` or `{ allow: false, reason? }` refuses (`403`, with the reason). */
export type AuthorizeVerdict = boolean | { allow: boolean; reason?: string };

/** The host's decision, sync or async: a hook that answers at once is not awaited. */
export type AuthorizeHook = (ctx: AuthorizeContext) => AuthorizeVerdict | Promise<AuthorizeVerdict>;

/** The hook and its deadline, as the bridge runs them. */
export interface Authorization {
  readonly hook: AuthorizeHook;
  readonly timeoutMs: number;
}

/** The message of a refusal whose hook gave no reason. */
export const DEFAULT_DENIAL = 'This request is not allowed by the gateway\'s policy.';

const NOT_A_VERDICT = 'returned something that is not a verdict (expected true, false or { allow, reason? })';

/**
 * Asks the hook about `ctx`. Returns nothing when the request is admitted (a promise of nothing when the hook is
 * async) and throws (or rejects with) the counted refusal otherwise: `403` on a denial, `500` when the hook threw,
 * answered something else or missed `timeoutMs` (fail closed; the reason is logged, never sent).
 */
export function authorize(ctx: AuthorizeContext, provider: ProviderRuntime, bridge: BridgeRuntime): void | Promise<void> {
  const { hook, timeoutMs } = bridge.authorize!;
  const asked: AskedAbout = { ctx, provider, bridge };
  return askHook({
    hook, ctx, timeoutMs, timeoutOption: 'authorizeTimeoutMs',
    judge: (verdict) => decide(verdict, asked),
    failed: (what) => failed(asked, what),
  });
}

/** The request a verdict is about, and whose counters and log it goes to. */
interface AskedAbout {
  ctx: AuthorizeContext;
  provider: ProviderRuntime;
  bridge: BridgeRuntime;
}

function decide(verdict: AuthorizeVerdict, asked: AskedAbout): void {
  if (verdict === true) return;
  let reason = DEFAULT_DENIAL;
  if (verdict !== false) {
    if (typeof verdict !== 'object' || verdict === null || typeof verdict.allow !== 'boolean') throw failed(asked, NOT_A_VERDICT);
    if (verdict.allow) return;
    if (typeof verdict.reason === 'string' && verdict.reason !== '') reason = verdict.reason;
  }
  const { ctx, provider, bridge } = asked;
  bridge.logger.info('request denied by authorize', { provider: provider.adapter.name, route: ctx.interception.route, actor: ctx.interception.actor.id, reason });
  throw counted(deniedRefusal(reason), provider, bridge);
}

function failed({ ctx, provider, bridge }: AskedAbout, what: string) {
  bridge.logger.error(`createBridge option \`authorize\` ${what}; the request was refused`, { provider: provider.adapter.name, route: ctx.interception.route });
  return counted(AUTHORIZE_FAILED, provider, bridge);
}

/** Asks the hook about a bridged request, once its call is known and its recording started (see {@link authorize}). */
export function authorizeInterception(ix: Interception, client: string | undefined): void | Promise<void> {
  return authorize({ kind: 'bridged', interception: bridgedContext(ix, client), req: ix.req }, ix.provider, ix.bridge);
}
