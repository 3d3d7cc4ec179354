// Unit tests for the SSE encoder, including a round trip through the decoder.
import { encodeSseEvent } from '../../lib/streaming/sse-encoder';
import { SseDecoder } from '../../lib/streaming/sse-decoder';

function roundTrip(text: string) {
  const d = new SseDecoder();
  return [...d.push(Buffer.from(text, 'utf8')), ...d.end()];
}

describe('encodeSseEvent', () => {
  it('encodes single-line data', () => {
    expect(encodeSseEvent({ data: '{"a":1}' })).toBe('data: {"a":1}\n\n');
  });

  it('encodes an event name before the data', () => {
    expect(encodeSseEvent({ event: 'message_start', data: 'x' })).toBe('event: message_start\ndata: x\n\n');
  });

  it('splits multi-line data on every kind of line break', () => {
    expect(encodeSseEvent({ data: 'a\nb' })).toBe('data: a\ndata: b\n\n');
    expect(encodeSseEvent({ data: 'a\r\nb\rc\n' })).toBe('data: a\ndata: b\ndata: c\ndata: \n\n');
  });

  it('encodes empty data as an empty data field', () => {
    expect(encodeSseEvent({ data: '' })).toBe('data: \n\n');
  });

  it('rejects event names that would break framing', () => {
    expect(() => encodeSseEvent({ event: 'a\nb', data: 'x' })).toThrow(/event name/);
  });

  it.each([
    { data: 'héllo 👋 世界' },
    { event: 'content_block_delta', data: '{"text":"x"}' },
    { data: 'line one\nline two\n\nline four' },
    { data: ' leading space' },
    { data: '' },
    { event: 'done', data: '[DONE]' },
  ])('round-trips %p through SseDecoder', (e) => {
    const events = roundTrip(encodeSseEvent(e));
    expect(events).toHaveLength(1);
    expect(events[0].event).toBe(e.event);
    expect(events[0].data).toBe(e.data);
  });

  it('round-trips CR line breaks as LF', () => {
    const [e] = roundTrip(encodeSseEvent({ data: 'a\r\nb\rc' }));
    expect(e.data).toBe('a\nb\nc');
  });
});
