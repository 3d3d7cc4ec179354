/** The test kit for host apps (`express-aibridge/testing`): a scriptable fake OpenAI and Anthropic upstream on 127.0.0.1. */
import type {
  AnthropicStep, FakeStep, FakeUpstream, FakeUpstreamOptions, ResponsesStep, ScriptedBehaviour, ScriptStep, Steps,
} from './types';
// The fake itself is plain JavaScript (also run by the bench and the example app); this module gives it its types.
import * as fake from './fake/index.js';

export type {
  AnthropicStep, AnthropicToolCall, Behaviour, FakeStep, FakeUpstream, FakeUpstreamOptions, ReceivedRequest,
  ResponsesStep, ScriptedBehaviour, ScriptedToolCall, ScriptStep, Steps, ToolCallScript,
} from './types';

/**
 * Starts a fake upstream on 127.0.0.1 that speaks OpenAI chat completions (`POST /v1/chat/completions`), OpenAI
 * Responses (`POST /v1/responses`), Anthropic Messages (`POST /v1/messages`, `/v1/messages/count_tokens`) and
 * `GET /v1/models[/:id]` of both, blocking and streamed, with recorded answers by default. Point a provider's
 * `baseURL` at `url` (OpenAI) or `origin` (Anthropic). Like the real APIs it refuses two tools of one name or a
 * `tool_choice` naming a tool not given (400), checks `keys`, and answers unknown routes with the API's 404.
 *
 * What it answers is scriptable: `toolCalls` makes it call injected tools by itself; a `behaviour` (built with
 * {@link script} or written by hand) answers any request first. Throws a TypeError naming a bad option.
 */
export function startFakeUpstream(options?: FakeUpstreamOptions): Promise<FakeUpstream> {
  return fake.startFakeUpstream(options);
}

/**
 * A behaviour answering chat-completions, Responses and Messages calls with `steps` in order, whichever API each
 * call uses (the last step repeats), streamed or blocking as asked; anything else falls through to the routes.
 *
 * @example fake.behaviour = script([{ toolCalls: [{ name: 'bmcp_docs_search', arguments: { q: 'x' } }] }, { text: 'Found it.' }]);
 */
export function script(steps: Steps<FakeStep>): ScriptedBehaviour {
  return fake.script(steps);
}

/** A behaviour answering chat-completions calls with `steps` (OpenAI-shaped; ids `chatcmpl-step<n>`). */
export function chatScript(steps: Steps<ScriptStep>): ScriptedBehaviour {
  return fake.chatScript(steps);
}

/** A behaviour answering Responses calls with `steps` (ids `resp_step<n>`). */
export function responsesScript(steps: Steps<ResponsesStep>): ScriptedBehaviour {
  return fake.responsesScript(steps);
}

/** A behaviour answering `POST /v1/messages` with `steps` (ids `msg_step<n>`) and `count_tokens` with 42. */
export function anthropicScript(steps: Steps<AnthropicStep>): ScriptedBehaviour {
  return fake.anthropicScript(steps);
}
