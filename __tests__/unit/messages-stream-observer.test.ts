/** The Messages stream observers over the recorded-style transcripts, split at awkward byte boundaries: records, relayed bytes, the loop's rewrites. */
import type { RecordSink } from '../../lib/apis/api';
import { MessagesStreamObserver, type MessagesStreamState } from '../../lib/apis/anthropic-messages/messages-stream-observer';
import { recordTurn } from '../../lib/apis/record-turn';
import { SseDecoder, type SseEvent } from '../../lib/streaming/sse-decoder';
import { transcript } from '../helpers/anthropic-script';

interface Collected { tokens: any[]; tools: any[]; thoughts: any[] }

function sink(): RecordSink & { collected: Collected } {
  const collected: Collected = { tokens: [], tools: [], thoughts: [] };
  const recording = {
    tokenUsage: (r: unknown) => collected.tokens.push(r),
    usageNotReported: () => undefined,
    toolUsage: (r: unknown) => collected.tools.push(r),
    modelThought: (r: unknown) => collected.thoughts.push(r),
  };
  return { interceptionId: 'i-1', recording: recording as never, collected };
}

/** The transcript as chunks of `size` bytes (cutting lines, CRLFs and UTF-8 characters anywhere). */
function* chunks(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

function decode(name: string, size: number): SseEvent[] {
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  for (const c of chunks(Buffer.from(transcript(name)), size)) events.push(...decoder.push(c));
  events.push(...decoder.end());
  return events;
}

const SIZES = [1, 2, 3, 7, 64, 100_000];

function relay(name: string, size: number) {
  const s = sink();
  const observer = new MessagesStreamObserver({ injected: new Set(), nextIndex: 0, usages: [] }, 0);
  const out: Buffer[] = [];
  for (const e of decode(name, size)) if (observer.accept(e)) out.push(e.raw);
  recordTurn(s, observer.turn());
  return { observer, collected: s.collected, bytes: Buffer.concat(out).toString('utf8') };
}

describe.each(SIZES)('relay observer, %i-byte chunks', (size) => {
  test('thinking + text: every byte relayed, usage from start and final delta, the thinking recorded', () => {
    const { observer, collected, bytes } = relay('thinking-text', size);
    expect(bytes).toBe(transcript('thinking-text'));
    expect(observer.completed).toBe(true);
    expect(collected.tokens).toEqual([expect.objectContaining({ msgId: 'msg_fx_thinking', input: 31, output: 57, cacheRead: 0, cacheWrite: 0, extra: {} })]);
    expect(collected.thoughts.map((t) => [t.content, t.source])).toEqual([['The user says hello in German; answer warmly — grüß zurück.', 'thinking']]);
    expect(collected.tools).toEqual([]);
  });

  test('parallel tool_use: both calls recorded with their parsed input, not injected', () => {
    const { collected } = relay('parallel-tool-use', size);
    expect(collected.tools.map((t) => [t.toolCallId, t.tool, t.args, t.injected])).toEqual([
      ['toolu_fx_paris', 'get_weather', { city: 'Paris', unit: 'c' }, false],
      ['toolu_fx_tokyo', 'get_weather', { city: 'Tōkyō' }, false],
    ]);
    expect(collected.tokens[0]).toMatchObject({ input: 412, output: 96 });
  });

  test('cache tokens: read and creation recorded, the 5m/1h split in extra, output the final value (not a sum)', () => {
    const { collected } = relay('cache-split', size);
    expect(collected.tokens).toEqual([expect.objectContaining({
      msgId: 'msg_fx_cache', input: 9, output: 23, cacheRead: 1536, cacheWrite: 3072,
      extra: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 2048 },
    })]);
  });

  test('server tools: not client tool calls; the search count kept in extra', () => {
    const { collected, observer } = relay('server-tools', size);
    expect(observer.completed).toBe(true);
    expect(collected.tools).toEqual([]);
    expect(collected.tokens[0]).toMatchObject({ input: 2210, output: 64, extra: { server_tool_use_web_search_requests: 1 } });
  });

  test('max_tokens cut inside a tool call: the partial arguments are recorded as text, nothing throws', () => {
    const { collected, observer } = relay('max-tokens-cut', size);
    expect(observer.completed).toBe(true);
    expect(collected.tools.map((t) => [t.toolCallId, t.args])).toEqual([['toolu_fx_cut', '{"a": 2, "b']]);
  });

  test('mid-stream overloaded_error: reported, not completed, partial usage still recorded', () => {
    const { collected, observer, bytes } = relay('overloaded-midstream', size);
    expect(bytes).toBe(transcript('overloaded-midstream'));
    expect(observer.completed).toBe(false);
    expect(observer.upstreamError).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
    expect(collected.tokens[0]).toMatchObject({ msgId: 'msg_fx_overloaded', input: 14, output: 1 });
  });
});

function loopCall(state: MessagesStreamState, iteration: number, name: string, size: number) {
  const observer = new MessagesStreamObserver(state, iteration);
  const out: Buffer[] = [];
  for (const e of decode(name, size)) {
    const b = observer.accept(e);
    if (b) out.push(b);
  }
  const turn = observer.turn();
  return { observer, turn, text: Buffer.concat(out).toString('utf8') };
}

function dataOf(text: string): any[] {
  return text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)));
}

describe.each([1, 5, 100_000])('loop observer, %i-byte chunks', (size) => {
  test('two calls: one message_start, the injected call hidden, indexes 0,1,2 without gaps, one summed message_delta', () => {
    const state: MessagesStreamState = { injected: new Set(['bmcp_calc_add']), nextIndex: 0, usages: [] };
    const first = loopCall(state, 0, 'max-tokens-cut', size);
    expect(first.turn.toolCalls).toEqual([{ id: 'toolu_fx_cut', name: 'bmcp_calc_add', arguments: '{"a": 2, "b', injected: true }]);
    expect(first.observer.content()[1]).toEqual({ type: 'tool_use', id: 'toolu_fx_cut', name: 'bmcp_calc_add', input: {} });
    const second = loopCall(state, 1, 'thinking-text', size);
    const events = dataOf(first.text + second.text + second.observer.tail().toString('utf8'));
    expect(events.filter((e) => e.type === 'message_start').map((e) => e.message.id)).toEqual(['msg_fx_cut']);
    expect(events.some((e) => e.content_block?.type === 'tool_use' || e.delta?.type === 'input_json_delta')).toBe(false);
    expect(events.filter((e) => e.type === 'content_block_start').map((e) => [e.index, e.content_block.type])).toEqual([[0, 'text'], [1, 'thinking'], [2, 'text']]);
    expect(new Set(events.filter((e) => e.type === 'content_block_delta').map((e) => e.index))).toEqual(new Set([0, 1, 2]));
    const deltas = events.filter((e) => e.type === 'message_delta');
    expect(deltas).toHaveLength(1);
    expect(deltas[0].delta.stop_reason).toBe('end_turn');
    expect(deltas[0].usage).toMatchObject({ input_tokens: 108, output_tokens: 73 });
    expect(events.filter((e) => e.type === 'message_stop')).toHaveLength(1);
    expect(events[events.length - 1].type).toBe('message_stop');
  });

  test('one call: the held terminal events are the upstream bytes', () => {
    const state: MessagesStreamState = { injected: new Set(['bmcp_calc_add']), nextIndex: 0, usages: [] };
    const only = loopCall(state, 0, 'parallel-tool-use', size);
    expect(only.text + only.observer.tail().toString('utf8')).toBe(transcript('parallel-tool-use'));
  });
});
