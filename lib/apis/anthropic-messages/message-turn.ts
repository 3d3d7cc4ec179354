/** An Anthropic message's content blocks as a loop turn: tool calls (`tool_use`), thoughts (`thinking`), usage. */
import type { Turn } from '../conversation';
import { messagesUsageToTokens } from './usage';
import { type JsonObject } from '../../json/parse-object';
import { answerModel } from '../answer-model';

/** What a turn reads of a message (blocking, or accumulated from a stream) besides its content; fields are the upstream's, of any type. */
export interface MessageHead {
  readonly id?: unknown;
  readonly model?: unknown;
}

/**
 * The turn of one message. `argumentsOf` gives a call's arguments text (streamed JSON may be cut); server tools
 * (`server_tool_use`) are run by the provider and are not calls the bridge or the client answers.
 */
export function messageTurn(
  message: MessageHead,
  content: readonly JsonObject[],
  usage: JsonObject | undefined,
  injected: ReadonlySet<string>,
  argumentsOf: (block: JsonObject) => string = (block) => JSON.stringify(block.input ?? {}),
): Turn {
  const msgId = typeof message.id === 'string' ? message.id : '';
  const turn: Turn = { msgId, model: answerModel(message.model), usage: usage ? messagesUsageToTokens(usage) : undefined, toolCalls: [], thoughts: [] };
  for (const block of content) {
    if (block.type === 'tool_use') {
      const name = typeof block.name === 'string' ? block.name : '';
      turn.toolCalls.push({ id: typeof block.id === 'string' ? block.id : '', name, arguments: argumentsOf(block), injected: injected.has(name) });
    } else if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking !== '') {
      turn.thoughts.push({ content: block.thinking, source: 'thinking' });
    }
  }
  return turn;
}
