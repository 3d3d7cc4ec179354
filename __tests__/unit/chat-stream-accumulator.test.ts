// Unit tests for rebuilding a streamed OpenAI chat completion from its chunks.
import { ChatCompletionStreamAccumulator } from '../../lib/apis/openai-chat/stream-accumulator';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };

function chunk(delta: object, finish_reason: string | null = null, index = 0) {
  return { ...base, choices: [{ index, delta, logprobs: null, finish_reason }] };
}

function toolDelta(index: number, fn: { name?: string; arguments?: string }, id?: string) {
  return chunk({ tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }] });
}

describe('ChatCompletionStreamAccumulator', () => {
  it('concatenates text deltas and keeps id, model and finish reason', () => {
    const acc = new ChatCompletionStreamAccumulator();
    acc.add(chunk({ role: 'assistant', content: '' }));
    acc.add(chunk({ content: 'Hél' }));
    acc.add(chunk({ content: 'lo 👋' }));
    acc.add(chunk({}, 'stop'));
    expect(acc.result()).toEqual({
      id: 'chatcmpl-1',
      model: 'gpt-4o-mini',
      text: 'Héllo 👋',
      refusal: '',
      toolCalls: [],
      finishReason: 'stop',
    });
  });

  it('rebuilds parallel tool calls interleaved by index with split arguments', () => {
    const acc = new ChatCompletionStreamAccumulator();
    acc.add(chunk({ role: 'assistant', content: null }));
    acc.add(toolDelta(1, { name: 'get_time', arguments: '' }, 'call_b'));
    acc.add(toolDelta(0, { name: 'get_weather', arguments: '' }, 'call_a'));
    acc.add(toolDelta(0, { arguments: '{"ci' }));
    acc.add(toolDelta(1, { arguments: '{"tz":' }));
    acc.add(toolDelta(0, { arguments: 'ty":"Par' }));
    acc.add(toolDelta(1, { arguments: '"UTC"}' }));
    acc.add(toolDelta(0, { arguments: 'is"}' }));
    acc.add(chunk({}, 'tool_calls'));
    const r = acc.result();
    expect(r.toolCalls).toEqual([
      { index: 0, id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { index: 1, id: 'call_b', name: 'get_time', arguments: '{"tz":"UTC"}' },
    ]);
    expect(r.finishReason).toBe('tool_calls');
    expect(r.text).toBe('');
  });

  it('does not duplicate an id or name repeated in later deltas', () => {
    const acc = new ChatCompletionStreamAccumulator();
    acc.add(toolDelta(0, { name: 'f', arguments: '{' }, 'call_x'));
    acc.add(toolDelta(0, { name: 'f', arguments: '}' }, 'call_x'));
    expect(acc.result().toolCalls).toEqual([{ index: 0, id: 'call_x', name: 'f', arguments: '{}' }]);
  });

  it('takes usage from the final usage-only chunk', () => {
    const acc = new ChatCompletionStreamAccumulator();
    acc.add({ ...chunk({ content: 'hi' }), usage: null });
    acc.add(chunk({}, 'stop'));
    const usage = { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11, prompt_tokens_details: { cached_tokens: 0 } };
    acc.add({ ...base, choices: [], usage });
    const r = acc.result();
    expect(r.usage).toEqual(usage);
    expect(r.text).toBe('hi');
    expect(r.finishReason).toBe('stop');
  });

  it('accumulates refusals and ignores choices other than index 0', () => {
    const acc = new ChatCompletionStreamAccumulator();
    acc.add({ ...base, choices: [{ index: 1, delta: { content: 'other' }, finish_reason: 'length' }] });
    acc.add(chunk({ refusal: "I can't " }));
    acc.add(chunk({ refusal: 'help with that.' }, 'stop'));
    const r = acc.result();
    expect(r.refusal).toBe("I can't help with that.");
    expect(r.text).toBe('');
    expect(r.finishReason).toBe('stop');
  });

  it('never throws on garbage input and ignores it', () => {
    const acc = new ChatCompletionStreamAccumulator();
    const garbage: unknown[] = [
      null, undefined, 42, 'data', [], [1, 2], true,
      { choices: null }, { choices: 'x' }, { choices: [null, 3, 'x'] },
      { choices: [{ index: 0, delta: null }] }, { choices: [{ index: 0, delta: 'x' }] },
      { choices: [{ index: 0, delta: { content: 5, tool_calls: 'x' } }] },
      { choices: [{ index: 0, delta: { tool_calls: [null, 7, { index: 0, function: 'x' }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 3, function: { name: 1, arguments: {} } }] } }] },
      { id: 5, model: null, usage: 'x' }, { usage: [1] },
      Object.create(null),
    ];
    for (const g of garbage) expect(() => acc.add(g)).not.toThrow();
    acc.add(chunk({ content: 'ok' }));
    const r = acc.result();
    expect(r.text).toBe('ok');
    expect(r.id).toBe('chatcmpl-1');
    expect(r.usage).toBeUndefined();
    expect(r.toolCalls).toEqual([
      { index: 0, id: '', name: '', arguments: '' },
      { index: 3, id: '', name: '', arguments: '' },
    ]);
  });

  it('returns an empty result before any chunk', () => {
    expect(new ChatCompletionStreamAccumulator().result()).toEqual({ text: '', refusal: '', toolCalls: [] });
  });
});
