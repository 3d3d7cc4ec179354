/** Turns chat-completions usage and tool calls into records. */
import type { JsonObject, RecordSink } from '../api';
import { chatUsageToTokens } from './usage';

/** Records one upstream response's token usage. */
export function recordChatUsage(sink: RecordSink, msgId: string, usage: JsonObject): void {
  sink.recording.tokenUsage({ interceptionId: sink.interceptionId, msgId, ...chatUsageToTokens(usage), createdAt: new Date() });
}

function parseArguments(args: string): unknown {
  if (args === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    return args; // models sometimes emit invalid JSON; keep what they said
  }
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
      args: parseArguments(call.arguments),
      injected: false,
      createdAt: new Date(),
    });
  }
}
