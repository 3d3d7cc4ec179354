// Serialises an event the gateway itself emits (rewritten or synthetic) into SSE wire format.

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Returns one SSE block: an optional `event:` line, one `data:` line per line of `data`, and the
 * terminating blank line. Every line break kind is split on because a decoder treats `\r` alone as
 * a terminator too; an unsplit one would leak the rest of the line out of the `data:` field.
 */
export function encodeSseEvent(e: { event?: string; data: string }): string {
  let head = '';
  if (e.event !== undefined) {
    // A line break in the name would forge extra fields; names come from our code, so fail loudly.
    if (LINE_BREAK.test(e.event)) throw new TypeError('encodeSseEvent: event name must not contain line breaks');
    head = 'event: ' + e.event + '\n';
  }
  const data = e.data;
  if (!data.includes('\n') && !data.includes('\r')) return head + 'data: ' + data + '\n\n';
  return head + 'data: ' + data.split(LINE_BREAK).join('\ndata: ') + '\n\n';
}
