/** The chat stream observer relays text-only chunks without parsing them, and still records and hides exactly what it must. */
import { ChatStreamObserver } from '../../lib/apis/openai-chat/chat-stream-observer';
import { SseDecoder } from '../../lib/streaming/sse-decoder';
import type { RecordSink } from '../../lib/apis/api';
import { recordTurn } from '../../lib/apis/record-turn';

const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'm' };
const chunk = (delta: object, finish: string | null = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], usage: null });

function run(events: string[], hideUsage: boolean) {
  const recorded: Array<[string, unknown]> = [];
  const sink = {
    interceptionId: 'i',
    recording: { tokenUsage: (r: unknown) => recorded.push(['tokens', r]), usageNotReported: () => undefined, toolUsage: (r: unknown) => recorded.push(['tool', r]) },
  } as unknown as RecordSink;
  const observer = new ChatStreamObserver({ injected: new Set(), clientWantsUsage: !hideUsage, firstId: undefined, usages: [] }, 0);
  const parse = jest.spyOn(JSON, 'parse');
  const out: string[] = [];
  for (const event of new SseDecoder().push(Buffer.from(events.map((e) => `data: ${e}\n\n`).join('')))) {
    const verdict = observer.accept(event);
    if (verdict !== undefined) out.push(verdict.toString());
  }
  const parsed = parse.mock.calls.length;
  parse.mockRestore();
  recordTurn(sink, observer.turn());
  return { out, recorded, parsed, observer };
}

const STREAM = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'say \\"tool_calls\\": it is only text' }),
  ...Array.from({ length: 20 }, (_, i) => chunk({ content: `word${i} ` })),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'fn', arguments: '{"a":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
  chunk({}, 'tool_calls'),
  JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
  '[DONE]',
];

test('text-only chunks after the first are not parsed; tool calls and usage are still recorded', () => {
  const { recorded, parsed, observer } = run(STREAM, true);
  expect(parsed).toBeLessThanOrEqual(6); // first chunk, the escaped-text chunk, two tool-call deltas, the usage chunk
  expect(observer.completed).toBe(true);
  expect(recorded.map(([kind]) => kind)).toEqual(['tokens', 'tool']);
  expect(recorded[1][1]).toMatchObject({ toolCallId: 'call_1', tool: 'fn', args: { a: 1 }, injected: false });
});

test('with usage hidden: "usage":null removed from every chunk, the usage chunk withheld, everything else byte-identical', () => {
  const { out } = run(STREAM, true);
  const shown = STREAM.filter((e) => !e.includes('"usage":{'));
  expect(out).toEqual(shown.map((e) => `data: ${e.replace(',"usage":null}', '}')}\n\n`));
  expect(out.join('')).not.toContain('"usage"');
});

test('with usage asked for by the client: every event relayed as it came', () => {
  const { out } = run(STREAM, false);
  expect(out).toEqual(STREAM.map((e) => `data: ${e}\n\n`));
});

test('an error event after the first chunk is still noticed', () => {
  const { observer } = run([chunk({ content: 'a' }), JSON.stringify({ error: { message: 'boom', type: 'server_error' } })], true);
  expect(observer.upstreamError).toEqual({ message: 'boom', type: 'server_error' });
});
