/** Each API's one stream observer, with no injected tools: every event forwarded as it came (the same Buffer), nothing held, nothing renumbered. */
import { ChatConversation } from '../../lib/apis/openai-chat/chat-conversation';
import { ResponsesConversation } from '../../lib/apis/openai-responses/responses-conversation';
import { MessagesConversation } from '../../lib/apis/anthropic-messages/messages-conversation';
import type { Conversation } from '../../lib/apis/conversation';
import type { CreatedResponses } from '../../lib/ownership/ownership-guard';
import { SseDecoder, type SseEvent } from '../../lib/streaming/sse-decoder';
import { fixture } from '../helpers/responses-script';
import { transcript } from '../helpers/anthropic-script';

function decode(bytes: Buffer | string): SseEvent[] {
  const decoder = new SseDecoder();
  return [...decoder.push(Buffer.from(bytes)), ...decoder.end()];
}

const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm' };
const chatChunk = (delta: object, finish: string | null = null, usage: unknown = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], usage });
const CHAT = [
  chatChunk({ role: 'assistant', content: '' }),
  chatChunk({ content: 'hello ' }),
  chatChunk({ content: 'world' }),
  chatChunk({}, 'stop'),
  JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
  '[DONE]',
].map((e) => `data: ${e}\n\n`).join('');

const chat = (clientWantsUsage: boolean, tools: string[] = []) => new ChatConversation({
  base: Buffer.from('{"model":"m","messages":[],"stream":true}'), tools: tools.map((name) => ({ name, inputSchema: {} })), clientWantsUsage,
});
const responses = (created?: CreatedResponses) => new ResponsesConversation({ raw: Buffer.from('{"input":"x"}'), input: 'x', chained: false, tools: [], created });
const messages = () => new MessagesConversation({ base: Buffer.from('{"model":"m","messages":[]}'), tools: [], clientToolChoice: undefined });

/** Accepts every event of `bytes`; true when each verdict was the event's own raw Buffer (no copy). */
function relaysSameBuffers(conversation: Conversation, bytes: Buffer | string) {
  const observer = conversation.observe(0);
  const events = decode(bytes);
  const same = events.map((e) => observer.accept(e) === e.raw);
  return { same, observer, tail: conversation.streamTail(observer) };
}

describe.each([
  ['chat (usage asked for by the client)', () => chat(true), CHAT, 'm'],
  ['responses', () => responses(), fixture('reasoning-summary'), 'gpt-5-2025-08-07'],
  ['responses, incomplete', () => responses(), fixture('incomplete'), 'gpt-5-2025-08-07'],
  ['messages', () => messages(), transcript('thinking-text'), 'claude-sonnet-4-5'],
  ['messages, parallel tool use', () => messages(), transcript('parallel-tool-use'), 'claude-sonnet-4-5'],
] as Array<[string, () => Conversation, Buffer | string, string]>)('%s, no injected tools', (_name, conversation, bytes, model) => {
  test('every event is forwarded as the same Buffer when it arrives, the terminal ones included; nothing is left for the tail', () => {
    const { same, observer, tail } = relaysSameBuffers(conversation(), bytes);
    expect(same.every(Boolean)).toBe(true);
    expect(observer.completed).toBe(true);
    expect(tail.length).toBe(0);
  });

  test('the turn names the model the stream says answered', () => {
    expect(relaysSameBuffers(conversation(), bytes).observer.turn().model).toBe(model);
  });
});

test('a streamed model name past 256 characters is cut in the turn', () => {
  const long = 'm'.repeat(300);
  const { observer } = relaysSameBuffers(chat(true), CHAT.replaceAll('"model":"m"', `"model":"${long}"`));
  expect(observer.turn().model).toBe(long.slice(0, 256));
});

describe('chat without injected tools, usage asked for on the client\'s behalf', () => {
  test('the finish chunk and [DONE] go out as they arrive; only the usage chunk the bridge asked for is hidden', () => {
    const conversation = chat(false);
    const observer = conversation.observe(0);
    const out = decode(CHAT).map((e) => observer.accept(e)?.toString());
    expect(out[3]).toBe(`data: ${chatChunk({}, 'stop').replace(',"usage":null}', '}')}\n\n`);
    expect(out[4]).toBeUndefined();
    expect(out[5]).toBe('data: [DONE]\n\n');
    expect(conversation.streamTail(observer).length).toBe(0);
    expect(observer.turn().usage).toMatchObject({ input: 3, output: 2 });
  });

  test('with an injected tool the same stream holds its terminal phase for the tail', () => {
    const conversation = chat(false, ['bmcp_x']);
    const observer = conversation.observe(0);
    const out = decode(CHAT).map((e) => observer.accept(e));
    expect(out.slice(3)).toEqual([undefined, undefined, undefined]);
    expect(conversation.streamTail(observer).toString()).toContain('[DONE]');
  });
});

describe('responses without injected tools', () => {
  const gapped = [
    { type: 'response.created', sequence_number: 5, response: { id: 'resp_1', output: [] } },
    { type: 'response.output_text.delta', sequence_number: 9, item_id: 'msg_1', delta: 'hi' },
    { type: 'response.completed', sequence_number: 12, response: { id: 'resp_1', output: [] } },
  ].map((d) => `event: ${d.type}\ndata: ${JSON.stringify(d)}\n\n`).join('');

  test('sequence numbers with gaps and an event of an item never announced are relayed unchanged; the error event follows the last number', () => {
    const conversation = responses();
    const { same, observer } = relaysSameBuffers(conversation, gapped);
    expect(same).toEqual([true, true, true]);
    expect(conversation.errorEvent({ message: 'cut', code: 'x' })).toContain('"sequence_number":13');
    expect(observer.settle?.()).toBeUndefined();
  });

  test('a stored response: the ending event (and what follows) waits for its owner, then is released once', async () => {
    let owned!: () => void;
    const items = jest.fn(() => new Promise<void>((resolve) => { owned = resolve; }));
    const observer = responses({ items } as unknown as CreatedResponses).observe(0);
    const events = decode(fixture('reasoning-summary'));
    const last = events.length - 1;
    const verdicts = events.map((e) => observer.accept(e));
    expect(verdicts.slice(0, last).every((v, i) => v === events[i].raw)).toBe(true);
    expect(verdicts[last]).toBeUndefined();
    expect(items).toHaveBeenCalledTimes(1);
    const released = observer.release!()!;
    expect(observer.release!()).toBeUndefined();
    owned();
    expect(await released).toBe(events[last].raw);
    expect(observer.settle?.()).toBeUndefined(); // owned already: nothing left for the loop to do
  });
});

test('messages without injected tools: a delta of a block never started is relayed, not withheld', () => {
  const event = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":4,"delta":{"type":"text_delta","text":"x"}}\n\n';
  expect(relaysSameBuffers(messages(), event).same).toEqual([true]);
});

test('without injected tools a conversation\'s body and final answer are the very bytes it was given', () => {
  const answer = Buffer.from('{"id":"a","choices":[],"output":[],"content":[]}');
  for (const conversation of [chat(false), responses(), messages()] as Conversation[]) {
    const body = conversation.body();
    expect(conversation.body()).toBe(body);
    expect(conversation.finalAnswer(answer)).toBe(answer);
  }
  const raw = Buffer.from('{"model":"m","messages":[]}');
  expect(new MessagesConversation({ base: raw, tools: [], clientToolChoice: undefined }).body()).toBe(raw);
});
