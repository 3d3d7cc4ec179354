/** Watches a chat-completions SSE stream: hides the usage the bridge asked for, accumulates for recording. */
import type { SseEvent } from '../../streaming/sse-decoder';
import type { RecordSink, StreamObserver, UpstreamReportedError } from '../api';
import { ChatCompletionStreamAccumulator } from './stream-accumulator';
import { chatTurn } from './chat-turn';
import { recordTurn } from '../record-turn';
import { stripUsageNull } from './usage-null';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';

/** What makes a chunk worth parsing: the parts that are recorded (tool calls, usage) or judged (errors). */
const RECORDED = /"tool_calls"|"usage"\s*:\s*\{|"error"\s*:/;
const USAGE_NULL_LAST = ',"usage":null}';

export class ChatStreamObserver implements StreamObserver {
  completed = false;
  upstreamError: UpstreamReportedError | undefined;
  private readonly accumulator: ChatCompletionStreamAccumulator;
  private finished = false;
  /** The chunk id is known: later text-only chunks need no parsing. */
  private sawId = false;

  constructor(private readonly sink: RecordSink, private readonly hideUsageChunk: boolean, budget: AccumulationBudget = UNBOUNDED) {
    this.accumulator = new ChatCompletionStreamAccumulator(budget);
  }

  accept(event: SseEvent): Buffer | undefined {
    const data = event.data;
    if (data === undefined) return event.raw;
    if (data === '[DONE]') {
      this.completed = true;
      return event.raw;
    }
    // Most chunks are text deltas: nothing in them is recorded, so they are relayed without a JSON.parse.
    if (this.sawId && !RECORDED.test(data)) {
      return this.hideUsageChunk && data.endsWith(USAGE_NULL_LAST) ? stripUsageNull(event.raw) ?? event.raw : event.raw;
    }
    let chunk: { id?: unknown; error?: { message?: unknown; type?: unknown }; usage?: unknown; choices?: unknown } | null;
    try {
      chunk = JSON.parse(data);
    } catch {
      return event.raw; // not ours to judge: relay it as it came
    }
    if (!chunk || typeof chunk !== 'object') return event.raw;
    if (chunk.error && typeof chunk.error === 'object') {
      this.upstreamError = {
        message: typeof chunk.error.message === 'string' ? chunk.error.message : 'upstream error',
        type: typeof chunk.error.type === 'string' ? chunk.error.type : undefined,
      };
      return event.raw;
    }
    this.accumulator.add(chunk);
    if (typeof chunk.id === 'string' && chunk.id !== '') this.sawId = true;
    if (!this.hideUsageChunk) return event.raw;
    if (chunk.usage === null) return stripUsageNull(event.raw) ?? event.raw;
    return chunk.usage && Array.isArray(chunk.choices) && chunk.choices.length === 0 ? undefined : event.raw;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const result = this.accumulator.result();
    recordTurn(this.sink, chatTurn(result.id ?? '', result.usage, result.toolCalls));
  }
}
