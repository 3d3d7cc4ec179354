/** Guardrails: the host's `guard` hook reads each bridged request before any key use and allows, blocks or edits it. */
import type { Request } from 'express';
import type { ApiCall } from '../apis/api';
import type { Refusal } from '../errors';
import { isObject, type JsonObject } from '../json/parse-object';
import { askHook } from './ask-hook';
import type { BridgedAuthorization } from './authorize';
import type { Interception } from './interception';
import { counted, GUARD_FAILED, guardBlockedRefusal } from './refusals';

/** The request as the client sent it: its bytes, and the same parsed. */
export interface GuardedRequest {
  body: Buffer;
  json: JsonObject;
}

/** The argument of the `guard` hook: the same `interception` as `authorize` gets, and the request's body. */
export interface GuardContext {
  interception: BridgedAuthorization;
  request: GuardedRequest;
  /** The Express request (your own middleware's fields included). */
  req: Request;
}

/**
 * `true`, `undefined` (or nothing) allows the request as it is; `{ block: reason }` refuses it (`400`, with the
 * reason; `false` is a block with the default reason); `{ edit: body }` sends `body` instead (a Buffer, a string,
 * or an object serialised as JSON), checked again like a client's body.
 */
export type GuardVerdict = true | false | undefined | void | { block: string } | { edit: Buffer | string | object };

/** The host's guard, sync or async: a guard that answers at once is not awaited. */
export type GuardHook = (ctx: GuardContext) => GuardVerdict | Promise<GuardVerdict>;

/** The hooks and their deadline, as the bridge runs them. */
export interface Guardrails {
  readonly hook: GuardHook | undefined;
  readonly response: ResponseGuardHook | undefined;
  readonly timeoutMs: number;
}

/** What the `responseGuard` hook gets: the request's `interception` and the upstream's whole (blocking) answer. */
export interface ResponseGuardContext {
  interception: BridgedAuthorization;
  /** The answer as the client would get it: its status, its bytes, and the same parsed (undefined when not a JSON object). */
  response: { status: number; body: Buffer; json: JsonObject | undefined };
  req: Request;
}

/** `true`/`undefined` relays the answer; `{ block: reason }` answers a `502` instead; `{ edit: body }` relays `body`. */
export type ResponseGuardHook = (ctx: ResponseGuardContext) => GuardVerdict | Promise<GuardVerdict>;

/** The message of a block without a reason. */
export const DEFAULT_BLOCK = 'This request was blocked by the gateway\'s guardrails.';

/** What a verdict came to: nothing (allowed as it is), or the new body. */
export type Decision = undefined | { body: Buffer };

/** A hook's verdict read: allowed, blocked (throws the counted refusal) or the edited bytes. */
type Judge = (verdict: GuardVerdict) => Decision;

/** One question to a guard hook about a bridged request. */
export interface GuardQuestion<C extends { interception: BridgedAuthorization }> {
  hook: (ctx: C) => GuardVerdict | Promise<GuardVerdict>;
  ctx: C;
  /** The option the hook came from, named in a failure's log line. */
  option: 'guard' | 'responseGuard';
  /** The refusal a block is answered with, and the line it is logged with. */
  blocked: (reason: string) => Refusal;
  blockedLog: string;
}

/**
 * Runs the question's hook under `guardTimeoutMs` and reads its verdict (see {@link askHook}): nothing (allowed), the
 * edited bytes, or throws (or rejects with) the counted refusal on a block (logged) or a failure (`500`, logged).
 */
export function askGuard<C extends { interception: BridgedAuthorization }>(ix: Interception, question: GuardQuestion<C>): Decision | Promise<Decision> {
  const { provider, bridge } = ix;
  const { interception } = question.ctx;
  const failed = guardFailure(ix, question.option);
  const blocked = (reason: string) => {
    const refusal = question.blocked(reason);
    bridge.logger.info(question.blockedLog, { provider: provider.adapter.name, route: interception.route, actor: interception.actor.id, reason: refusal.message });
    return counted(refusal, provider, bridge);
  };
  const { hook, ctx } = question;
  return askHook({ hook, ctx, timeoutMs: bridge.guard!.timeoutMs, timeoutOption: 'guardTimeoutMs', judge: judgeWith(blocked, failed), failed });
}

/** What a guard that failed throws: `500`, logged with what it did, counted. */
export function guardFailure(ix: Interception, option: GuardQuestion<never>['option']): (what: string) => Error {
  const { provider, bridge } = ix;
  return (what) => {
    bridge.logger.error(`createBridge option \`${option}\` ${what}; the request was refused`, { provider: provider.adapter.name, route: ix.api.route });
    return counted(GUARD_FAILED, provider, bridge);
  };
}

const NOT_A_VERDICT = 'returned something that is not a verdict (expected true, undefined, { block } or { edit })';

/** A verdict as a decision; `blocked(reason)` is what a block throws, `failed(what)` what a malformed verdict throws. */
function judgeWith(blocked: (reason: string) => Error, failed: (what: string) => Error): Judge {
  return (verdict) => {
    if (verdict === true || verdict === undefined) return undefined;
    if (verdict === false) throw blocked(DEFAULT_BLOCK);
    if (!isObject(verdict)) throw failed(NOT_A_VERDICT);
    if ('block' in verdict) throw blocked(typeof verdict.block === 'string' && verdict.block !== '' ? verdict.block : DEFAULT_BLOCK);
    if (!('edit' in verdict)) throw failed(NOT_A_VERDICT);
    const edit = verdict.edit;
    if (Buffer.isBuffer(edit)) return { body: edit };
    if (typeof edit === 'string') return { body: Buffer.from(edit, 'utf8') };
    if (!isObject(edit)) throw failed('edited the body into something that is not a Buffer, a string or an object');
    return { body: Buffer.from(JSON.stringify(edit), 'utf8') };
  };
}

/** A request as the guard left it: its bytes, parsed, and prepared again by the API. */
export interface GuardedCall {
  raw: Buffer;
  json: JsonObject;
  call: ApiCall;
}

/**
 * Asks the guard about a bridged request whose recording started. Returns nothing when it goes on as it is, the
 * edited request when the guard edited it, and throws (or rejects with) the counted refusal otherwise: `400` on a
 * block, `500` when the guard threw, answered no verdict, missed its deadline or edited the body into an invalid request.
 */
export function guardInterception(ix: Interception, raw: Buffer, json: JsonObject): GuardedCall | undefined | Promise<GuardedCall | undefined> {
  const client = ix.client;
  let decided: GuardedCall | undefined | Promise<GuardedCall | undefined>;
  try {
    decided = guarded(ix, { interception: bridgedContext(ix, client), request: { body: raw, json }, req: ix.req });
  } catch (refusal) {
    recordPrompt(ix);
    throw refusal;
  }
  if (!(decided instanceof Promise)) {
    recordPrompt(ix);
    return decided;
  }
  // The prompt is recorded once the guard decided: an edit's prompt is the one sent.
  return decided.finally(() => recordPrompt(ix));
}

function guarded(ix: Interception, ctx: GuardContext): GuardedCall | undefined | Promise<GuardedCall | undefined> {
  const decision = askGuard(ix, { hook: ix.bridge.guard!.hook!, ctx, option: 'guard', blocked: guardBlockedRefusal, blockedLog: 'request blocked by guard' });
  const failed = guardFailure(ix, 'guard');
  if (decision instanceof Promise) return decision.then((d) => d && edited(ix, d.body, failed));
  return decision && edited(ix, decision.body, failed);
}

/** The edited body as a request the API accepts, or the guard's failure. */
function edited(ix: Interception, body: Buffer, failed: (what: string) => Error): GuardedCall {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw failed('edited the body into something that is not JSON');
  }
  if (!isObject(json)) throw failed('edited the body into JSON that is not an object');
  const call = ix.api.prepare(json, body);
  if (typeof call === 'string') throw failed(`edited the body into a request the API refuses: ${call}`);
  ix.provider.counters.guardEdited++;
  ix.bridge.metrics?.guardEdited(ix.providerName, 'request');
  (ix.guardEdits ??= []).push('request');
  ix.call = call;
  return { raw: body, json, call };
}

/** What the hooks know of a bridged request once its call is known (the `interception` of `authorize`'s context). */
export function bridgedContext(ix: Interception, client = ix.client): BridgedAuthorization {
  const { call, api } = ix;
  return {
    id: ix.id, actor: ix.actor, providerName: ix.providerName, api: api.name, model: call?.model ?? '', streaming: call?.streaming ?? false, client, route: api.route,
    routedBy: ix.routed?.name,
  };
}

/** Records the request's prompt, when the bridge records and the request has one. */
export function recordPrompt(ix: Interception): void {
  const prompt = ix.call?.prompt;
  if (prompt !== undefined && ix.bridge.recorder.enabled) ix.recording.promptUsage({ interceptionId: ix.id, msgId: '', prompt, createdAt: new Date() });
}
