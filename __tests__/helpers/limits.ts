/** Shared set-up of the limits suites: an actor with a team, clients of both SDKs, a fake upstream that can hold its answers. */
import type express from 'express';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import type { FakeUpstream } from './fake-openai';

/** Token → actor, with a `team` in the metadata for limits per group. */
export const TEAM_USERS: Record<string, { id: string; metadata: { team?: string } }> = {
  'tok-alice': { id: 'alice', metadata: { team: 'red' } },
  'tok-bob': { id: 'bob', metadata: { team: 'red' } },
  'tok-carol': { id: 'carol', metadata: { team: 'blue' } },
  'tok-dave': { id: 'dave', metadata: {} },
};

export function teamActor(req: express.Request) {
  const bearer = typeof req.headers.authorization === 'string' ? req.headers.authorization.replace(/^Bearer /i, '') : undefined;
  const key = typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : bearer;
  return TEAM_USERS[key ?? ''];
}

export const openaiClient = (gatewayUrl: string, token = 'tok-alice') =>
  new OpenAI({ apiKey: token, baseURL: `${gatewayUrl}/openai/v1`, maxRetries: 0 });

export const anthropicClient = (gatewayUrl: string, token = 'tok-alice') =>
  new Anthropic({ apiKey: token, baseURL: `${gatewayUrl}/anthropic`, maxRetries: 0 });

/** Makes the fake hold every answer until `release()`; `held` counts the requests waiting. */
export function holdAnswers(upstream: FakeUpstream) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const state = { held: 0 };
  upstream.behaviour = async () => {
    state.held++;
    await gate;
    return 'default' as const;
  };
  return { state, release: () => open() };
}

/** Waits until `check()` is true. */
export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The status and error body of a refused SDK call. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; headers: Headers | Record<string, string>; error: any }> {
  try {
    await call;
  } catch (err) {
    const e = err as { status: number; headers: Headers | Record<string, string>; error: any };
    return { status: e.status, headers: e.headers, error: e.error };
  }
  throw new Error('the call was not refused');
}

export function header(headers: Headers | Record<string, string>, name: string): string | null | undefined {
  return typeof (headers as Headers).get === 'function' ? (headers as Headers).get(name) : (headers as Record<string, string>)[name];
}
