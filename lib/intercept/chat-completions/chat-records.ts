/** Turns chat-completions usage and tool calls into records. */
import type { RecordSink } from '../api';
import { chatUsageToTokens } from './usage';
import { recordedToolArguments } from '../../tools/tool-results';
import { type JsonObject } from '../parse-object';

/** Records one upstream response's token usage. */
export function recordChatUsage(sink: RecordSink, msgId: string, usage: JsonObject): void {
  sink.recording.tokenUsage({ interceptionId: sink.interceptionId, msgId, ...chatUsageToTokens(usage), createdAt: new Date() });
}

/** Records client-defined tool calls the model made (the bridge does not run them). */
export function recordChatToolCalls(
  sink: RecordSink,
  msgId: string,
  calls: ReadonlyArray<{ id: string; name: string; arguments: string }>,
): void {
  for (const call of calls) {
    sink.recording.toolUsage({
      interceptionId: sink.interceptionId,
      msgId,
      tool: call.name,
      toolCallId: call.id,
      args: recordedToolArguments(call.arguments),
      injected: false,
      createdAt: new Date(),
    });
  }
}
