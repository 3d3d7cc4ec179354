// The head of a streamed answer leaves with the first bytes written (one packet), and no later than the upstream's first chunk;
// the terminal event's bytes wait for the end to leave with it, one turn of the event loop at most.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ClientStream } from '../../lib/pipeline/relay/client-stream';
import { pumpEvents, type EventFilter } from '../../lib/pipeline/relay/stream-pump';
import type { SseEvent } from '../../lib/streaming/sse-decoder';

/** Just enough of a response to see when the head goes: alone (`flushHeaders`) or with the first write. */
function fakeResponse() {
  const sent: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    statusCode: 0,
    headersSent: false,
    writableEnded: false,
    destroyed: false,
    setHeader: () => undefined,
    flushHeaders() { res.headersSent = true; sent.push('HEAD'); },
    write(chunk: Buffer | string) {
      if (!res.headersSent) sent.push('HEAD+');
      res.headersSent = true;
      sent.push(chunk.toString());
      return true;
    },
    end() { res.writableEnded = true; sent.push('END'); },
    cork() { sent.push('CORK'); },
    uncork() { sent.push('UNCORK'); },
  });
  return { res: res as unknown as ServerResponse, sent };
}

async function* chunks(...texts: string[]): AsyncIterable<Buffer> {
  for (const t of texts) yield Buffer.from(t);
}

function pump(filter: EventFilter, res: ServerResponse, ...texts: string[]): { client: ClientStream; done: Promise<void> } {
  const client = new ClientStream(res, () => undefined);
  client.open(200, { 'content-type': 'text/event-stream' });
  return { client, done: pumpEvents(chunks(...texts), { filter, client, redact: () => false }) };
}

/** Forwards every event; `completed` once `[DONE]` went through. */
function doneWatcher(): EventFilter & { completed: boolean } {
  const filter = { completed: false, accept: (e: SseEvent) => { if (e.data === '[DONE]') filter.completed = true; return e.raw; } };
  return filter;
}

test('the head goes with the first chunk when that chunk is forwarded', async () => {
  const { res, sent } = fakeResponse();
  await pump({ accept: (e) => e.raw }, res, 'data: 1\n\n', 'data: 2\n\n').done;
  expect(sent).toEqual(['HEAD+', 'data: 1\n\n', 'data: 2\n\n']);
});

test('the head goes on its own once the first chunk arrived, when nothing of that chunk was forwarded', async () => {
  const { res, sent } = fakeResponse();
  await pump({ accept: (e) => (e.data === 'hidden' ? undefined : e.raw) }, res, 'data: hidden\n\n', 'data: 2\n\n').done;
  expect(sent).toEqual(['HEAD', 'data: 2\n\n']);
});

test('no head is sent before the upstream body begins', () => {
  const { res, sent } = fakeResponse();
  new ClientStream(res, () => undefined).open(200, {});
  expect(sent).toEqual([]);
});

test('after the terminal event the writes are held for the end, which sends them', async () => {
  const { res, sent } = fakeResponse();
  const { client, done } = pump(doneWatcher(), res, 'data: 1\n\n', 'data: [DONE]\n\n');
  await done;
  client.end();
  await new Promise((resolve) => setImmediate(resolve));
  expect(sent).toEqual(['HEAD+', 'data: 1\n\n', 'data: [DONE]\n\n', 'CORK', 'END']);
});

test('held writes go at the next turn of the event loop when the end is late', async () => {
  const { res, sent } = fakeResponse();
  await pump(doneWatcher(), res, 'data: [DONE]\n\n').done;
  await new Promise((resolve) => setImmediate(resolve));
  expect(sent).toEqual(['HEAD+', 'data: [DONE]\n\n', 'CORK', 'UNCORK']);
});
