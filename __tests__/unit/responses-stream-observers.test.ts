// Unit tests for the Responses stream observers over the recorded-style transcripts, split at awkward byte boundaries.
import { recordTurn } from '../../lib/apis/record-turn';
import { ResponsesConversation } from '../../lib/apis/openai-responses/responses-conversation';
import { ResponsesStreamObserver } from '../../lib/apis/openai-responses/responses-stream-observer';
import { clientSessionId } from '../../lib/observability/client-detector';
import { SseDecoder, type SseEvent } from '../../lib/streaming/sse-decoder';
import type { RecordSink } from '../../lib/recorder/record-sink';
import { fixture } from '../helpers/responses-script';

const NAMES = ['reasoning-summary', 'hosted-and-custom-tools', 'incomplete', 'failed', 'error-event', 'malformed'];

/** Decodes `bytes` pushed in chunks of `size` bytes (mid-line, mid-UTF-8 character, between CR and LF). */
function events(bytes: Buffer, size: number): SseEvent[] {
  const decoder = new SseDecoder();
  const out: SseEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...decoder.push(Buffer.from(bytes.subarray(i, i + size))));
  out.push(...decoder.end());
  return out;
}

function sink(): { sink: RecordSink; records: Array<[string, unknown]> } {
  const records: Array<[string, unknown]> = [];
  const recording = {
    tokenUsage: (r: unknown) => records.push(['token', { ...(r as object), createdAt: 0 }]),
    usageNotReported: () => undefined,
    toolUsage: (r: unknown) => records.push(['tool', { ...(r as object), createdAt: 0 }]),
    modelThought: (r: unknown) => records.push(['thought', { ...(r as object), createdAt: 0 }]),
  };
  return { sink: { interceptionId: 'i1', recording: recording as unknown as RecordSink['recording'] }, records };
}

function observePlain(bytes: Buffer, size: number) {
  const { sink: s, records } = sink();
  const observer = new ResponsesStreamObserver({ injected: new Set(), nextSequence: undefined, nextIndex: 0, visible: [], usages: [] }, 0);
  const accepted = events(bytes, size).map((e) => observer.accept(e));
  recordTurn(s, observer.turn());
  return { observer, records, accepted };
}

describe('ResponsesStreamObserver', () => {
  test.each(NAMES)('%s: the same verdicts and records whatever the chunking', (name) => {
    const bytes = fixture(name);
    const whole = observePlain(bytes, bytes.length);
    expect(whole.accepted.every(Boolean)).toBe(true);
    for (const size of [1, 2, 3, 7, 64, 333]) {
      const split = observePlain(bytes, size);
      expect(split.records).toEqual(whole.records);
      expect(split.observer.completed).toBe(whole.observer.completed);
      expect(split.observer.upstreamError).toEqual(whole.observer.upstreamError);
    }
  });

  test('terminal and error events are told apart', () => {
    const verdict = (name: string) => {
      const { observer } = observePlain(fixture(name), 5);
      return [observer.completed, observer.upstreamError?.message];
    };
    expect(verdict('reasoning-summary')).toEqual([true, undefined]);
    expect(verdict('incomplete')).toEqual([true, undefined]);
    expect(verdict('malformed')).toEqual([true, undefined]);
    expect(verdict('failed')).toEqual([false, 'The model failed to generate a response.']);
    expect(verdict('error-event')).toEqual([false, 'Rate limit reached for gpt-5 in organization org-fixture.']);
  });

  test('the error event it offers carries the sequence number after the last one seen', () => {
    const { observer } = observePlain(fixture('incomplete').subarray(0, 1200), 9);
    expect(observer.errorEvent({ message: 'cut', code: 'stream_incomplete' })).toBe(
      'event: error\ndata: {"type":"error","code":"stream_incomplete","message":"cut","param":null,"sequence_number":3}\n\n',
    );
  });
});

function loopRun(bytes: Buffer, size: number, injected: string[]) {
  const conversation = new ResponsesConversation({ raw: Buffer.from('{"input":"x"}'), input: 'x', chained: false, tools: injected.map((name) => ({ name, inputSchema: {} })) });
  const observer = conversation.observe(0) as ResponsesStreamObserver;
  const parts = events(bytes, size).map((e) => observer.accept(e) ?? Buffer.alloc(0));
  return { out: Buffer.concat([...parts, observer.tail()]).toString('utf8'), observer };
}

describe('ResponsesStreamObserver with injected tools', () => {
  test.each(['reasoning-summary', 'hosted-and-custom-tools', 'incomplete', 'malformed'])('%s with nothing to hide: the client gets the transcript unchanged', (name) => {
    for (const size of [1, 4, 100]) expect(loopRun(fixture(name), size, ['bmcp_other']).out).toBe(fixture(name).toString('utf8'));
  });

  test('an injected call in the transcript is hidden and the rest renumbered without gaps, whatever the chunking', () => {
    const expected = loopRun(fixture('hosted-and-custom-tools'), 1_000_000, ['shell']).out;
    for (const size of [1, 3, 17]) expect(loopRun(fixture('hosted-and-custom-tools'), size, ['shell']).out).toBe(expected);
    const blocks = expected.trim().split('\n\n').map((b) => JSON.parse(b.split('\ndata: ')[1]));
    expect(blocks.map((b) => b.sequence_number)).toEqual(blocks.map((_, i) => i));
    expect(blocks.some((b) => b.item_id === 'fc_fx_1' || b.item?.id === 'fc_fx_1')).toBe(false);
    const completed = blocks[blocks.length - 1];
    expect(completed.type).toBe('response.completed');
    expect(completed.response.output.map((i: { id: string }) => i.id)).toEqual(['ws_fx_1', 'ctc_fx_1']);
    const { observer } = loopRun(fixture('hosted-and-custom-tools'), 7, ['shell']);
    expect(observer.turn().toolCalls.map((c) => [c.name, c.injected, !!c.ranUpstream])).toEqual([['web_search_call', false, true], ['apply_patch', false, false], ['shell', true, false]]);
  });
});

test('the session-id header (Codex) names the client session', () => {
  expect(clientSessionId({ 'session-id': 'codex-1' })).toBe('codex-1');
});
