/** `anthropicProvider()`: the Anthropic provider adapter composed with the API it bridges (messages). */
import type { BridgedProvider } from './types';
import { messagesApi } from '../apis/anthropic-messages/messages-api';
import { anthropicAdapter, type AnthropicProviderOptions } from './anthropic';

const APIS = [messagesApi];

/** An Anthropic upstream. Clients use `baseURL: <mount>/<name>` (the SDK adds `/v1/messages`). */
export function anthropicProvider(options: AnthropicProviderOptions): BridgedProvider {
  return { ...anthropicAdapter(options), apis: APIS };
}
