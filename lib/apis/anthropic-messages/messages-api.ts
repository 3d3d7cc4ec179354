/** The Anthropic Messages API (`POST /v1/messages`): request checks, records of blocking and streamed answers, the tool loop's conversation. */
import { clientToolNames, nameOrNested } from '../client-tool-names';
import { anthropicErrorJson, anthropicErrors } from './anthropic-errors';
import { encodeSseEvent } from '../../streaming/sse-encoder';
import { recordTurn } from '../record-turn';
import type { ApiAdapter, ApiCall, RecordSink } from '../api';
import { messageTurn } from './message-turn';
import { MessagesConversation } from './messages-conversation';
import { MessagesStreamObserver } from './messages-stream-observer';
import { lastToolResultId, lastUserPrompt } from './prompt';
import { type JsonObject, isObject } from '../../json/parse-object';

const NONE: ReadonlySet<string> = new Set();

/** Anthropic's keep-alive: clients and the SDK skip `ping` events. */
const PING = Buffer.from('event: ping\ndata: {"type": "ping"}\n\n');

/** Only what the bridge reads is checked; every other field (known to us or not) is the upstream's to judge. */
function validate(body: JsonObject): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return '`model` must be a non-empty string.';
  if (!Array.isArray(body.messages)) return '`messages` must be an array.';
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return '`stream` must be a boolean.';
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) return '`tools` must be an array.';
  const choice = body.tool_choice;
  if (choice !== undefined && choice !== null && !isObject(choice)) return '`tool_choice` must be an object.';
  return undefined;
}

function recordBlocking(answer: unknown, sink: RecordSink): void {
  if (!isObject(answer) || !Array.isArray(answer.content)) return;
  const content = answer.content.filter(isObject);
  const usage = isObject(answer.usage) ? answer.usage : undefined;
  recordTurn(sink, messageTurn(typeof answer.id === 'string' ? answer.id : undefined, content, usage, NONE));
}

function prepare(body: JsonObject, raw: Buffer): ApiCall | string {
  const problem = validate(body);
  if (problem) return problem;
  const toolChoice = isObject(body.tool_choice) ? body.tool_choice : undefined;
  return {
    model: body.model as string,
    streaming: body.stream === true,
    upstreamBody: raw, // nothing is added without injected tools: the client's bytes as they came
    prompt: lastUserPrompt(body.messages),
    correlatingToolCallId: lastToolResultId(body.messages),
    clientToolNames: () => clientToolNames(body.tools, nameOrNested),
    // A client that forbids tool calls (`tool_choice: none`) gets no injected tools either.
    conversation: toolChoice?.type === 'none' ? undefined : (tools, budget) => new MessagesConversation({ base: raw, tools, clientToolChoice: toolChoice, budget }),
    recordBlocking,
    observeStream: (sink, budget) => new MessagesStreamObserver(sink, budget),
  };
}

/** `POST /v1/messages`. */
export const messagesApi: ApiAdapter = {
  name: 'messages',
  route: '/v1/messages',
  errors: anthropicErrors,
  prepare,
  streamErrorEvent(error) {
    return encodeSseEvent({ event: 'error', data: anthropicErrorJson(error.type, error.message) });
  },
  keepAliveEvent: PING,
};
