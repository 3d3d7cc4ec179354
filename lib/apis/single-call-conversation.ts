/** The conversation of an API that takes no injected tools and answers in one call: the client's bytes up, the answer read into a turn. */
import type { Conversation, StreamObserver, Turn } from './conversation';
import type { UpstreamReportedError } from '../errors';
import type { SseEvent } from '../streaming/sse-decoder';
import { type JsonObject, parseObject } from '../json/parse-object';

const EMPTY = Buffer.alloc(0);

/** Relays every event as it came; `completed` once `[DONE]` arrives. Read nothing: an API that answers JSON only has nothing to record from a stream. */
class RelayingObserver implements StreamObserver {
  completed = false;
  readonly upstreamError: UpstreamReportedError | undefined = undefined;

  accept(event: SseEvent): Buffer | undefined {
    if (event.data === '[DONE]') this.completed = true;
    return event.raw;
  }

  turn(): Turn {
    return { msgId: '', usage: undefined, toolCalls: [], thoughts: [] };
  }
}

/**
 * One call, nothing injected, nothing continued: `body()` is the client's bytes and the blocking answer goes back
 * as the upstream wrote it. `readTurn` reads a parsed 2xx answer (usage, model) for the records.
 */
export class SingleCallConversation implements Conversation {
  constructor(private readonly raw: Buffer, private readonly readTurn: (answer: JsonObject) => Turn) {}

  body(): Buffer {
    return this.raw;
  }

  readAnswer(answer: Buffer): Turn | undefined {
    const parsed = parseObject(answer);
    return parsed ? this.readTurn(parsed) : undefined;
  }

  observe(): StreamObserver {
    return new RelayingObserver();
  }

  continueWith(): void {
    // No tools are ever offered to this API, so there is no turn to continue from.
  }

  dropInjectedTools(): void {
    // Nothing was injected.
  }

  finalAnswer(last: Buffer): Buffer {
    return last;
  }

  streamTail(): Buffer {
    return EMPTY;
  }
}
