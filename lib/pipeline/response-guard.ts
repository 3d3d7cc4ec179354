/** The `responseGuard` hook: reads a blocking answer before the client gets it, and relays it, blocks it (`502`) or relays an edit. */
import { sendUpstreamBody } from '../http/whole-body';
import type { UpstreamResponse } from '../http/upstream-client';
import { parseObject } from '../json/parse-object';
import { askGuard, bridgedContext, type Decision } from './guard';
import type { Interception } from './interception';
import { guardBlockedAnswerRefusal } from './refusals';

/**
 * Answers the client with `body` once the response guard allowed it (or with its edit); throws (or rejects with) the
 * counted refusal when it blocked the answer (`502`) or failed (`500`): the pipeline answers that instead.
 */
export function guardedAnswer(ix: Interception, upstream: Pick<UpstreamResponse, 'status' | 'headers'>, body: Buffer): void | Promise<void> {
  const ctx = { interception: bridgedContext(ix), response: { status: upstream.status, body, json: parseObject(body) }, req: ix.req };
  const decision = askGuard(ix, { hook: ix.bridge.guard!.response!, ctx, option: 'responseGuard', blocked: guardBlockedAnswerRefusal, blockedLog: 'answer blocked by responseGuard' });
  if (decision instanceof Promise) return decision.then((d) => send(ix, { upstream, body }, d));
  send(ix, { upstream, body }, decision);
}

/** The upstream's answer as the guard read it. */
interface GuardedAnswer {
  upstream: Pick<UpstreamResponse, 'status' | 'headers'>;
  body: Buffer;
}

function send(ix: Interception, { upstream, body }: GuardedAnswer, decision: Decision): void {
  if (decision) {
    ix.provider.counters.guardEdited++;
    ix.bridge.metrics?.guardEdited(ix.providerName, 'response');
    (ix.guardEdits ??= []).push('response');
  }
  // An edit is the host's, but a key it quotes is still no one's business.
  sendUpstreamBody(upstream, decision ? ix.redact(decision.body) : body, ix);
}
