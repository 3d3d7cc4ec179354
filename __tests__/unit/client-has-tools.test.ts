/** Whether a request carries tools of its own, as each API reads it (what `injectWhen: 'client-has-tools'` decides on). */
import { chatCompletionsApi } from '../../lib/apis/openai-chat/chat-completions-api';
import { messagesApi } from '../../lib/apis/anthropic-messages/messages-api';
import { responsesApi } from '../../lib/apis/openai-responses/responses-api';
import type { ApiAdapter, ApiCall } from '../../lib/apis/api';

const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const messages = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const responses = { model: 'm', input: 'hi' };

function prepared(api: ApiAdapter, body: Record<string, unknown>): ApiCall {
  const call = api.prepare(body, Buffer.from(JSON.stringify(body)));
  if (typeof call === 'string') throw new Error(call);
  return call;
}

test.each([
  ['chat, no tools', chatCompletionsApi, chat, false],
  ['chat, empty tools', chatCompletionsApi, { ...chat, tools: [] }, false],
  ['chat, a function tool', chatCompletionsApi, { ...chat, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, true],
  ['messages, no tools', messagesApi, messages, false],
  ['messages, a tool', messagesApi, { ...messages, tools: [{ name: 'Read', input_schema: { type: 'object' } }] }, true],
  ['messages, a server tool without input schema', messagesApi, { ...messages, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, true],
  ['responses, no tools', responsesApi, responses, false],
  ['responses, a hosted tool without a name', responsesApi, { ...responses, tools: [{ type: 'web_search' }] }, true],
])('%s', (_name, api, body, expected) => {
  expect(prepared(api, body).clientHasTools).toBe(expected);
});
