/** Azure's streams open with a content-filter chunk whose `id` is empty: the tool loop's one id is the first real one. */
import { ChatStreamObserver, type ChatStreamState } from '../../lib/apis/openai-chat/chat-stream-observer';
import { SseDecoder } from '../../lib/streaming/sse-decoder';

const FILTER = JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
const chunk = (id: string, delta: object, finish: string | null = null) =>
  JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] });

function relay(observer: ChatStreamObserver, events: string[]): string[] {
  const out: string[] = [];
  for (const event of new SseDecoder().push(Buffer.from(events.map((e) => `data: ${e}\n\n`).join('')))) {
    const verdict = observer.accept(event);
    if (verdict !== undefined) out.push(verdict.toString());
  }
  return out;
}

test('the loop keeps the first non-empty chunk id across its calls, not the filter chunk\'s empty one', () => {
  const state: ChatStreamState = { injected: new Set(['bmcp_calc_add']), clientWantsUsage: false, firstId: undefined, usages: [] };
  relay(new ChatStreamObserver(state, 0), [
    FILTER,
    chunk('chatcmpl-first', { role: 'assistant', content: 'Adding. ' }),
    chunk('chatcmpl-first', { tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'bmcp_calc_add', arguments: '{}' } }] }),
    chunk('chatcmpl-first', {}, 'tool_calls'),
    '[DONE]',
  ]);
  expect(state.firstId).toBe('chatcmpl-first');
  const second = relay(new ChatStreamObserver(state, 1), [FILTER, chunk('chatcmpl-second', { content: 'Five.' })]);
  // The later call's filter chunk judges the bridge's own follow-up prompt: it has nothing for the client.
  const ids = second.map((e) => JSON.parse(e.slice('data: '.length)).id);
  expect(ids).toEqual(['chatcmpl-first']);
});
