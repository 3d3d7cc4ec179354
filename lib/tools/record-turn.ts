/** The one place a turn becomes records: token usage per upstream call, tool usages, thoughts. */
import type { RecordSink } from '../recorder/record-sink';
import type { ToolOutcome, Turn } from './loop-types';
import { parseToolArguments, resultText } from './run-tool-calls';
import type { InjectedTool } from './types';

function recordedArgs(text: string): unknown {
  const parsed = parseToolArguments(text);
  return parsed.ok ? parsed.value : text; // invalid JSON is kept as the model wrote it
}

/** Records `turn`; `outcomes` are the results of its injected calls, `tools` what was injected (by shown name). */
export function recordTurn(sink: RecordSink, turn: Turn, outcomes: readonly ToolOutcome[], tools: ReadonlyMap<string, InjectedTool>, notRun?: string): void {
  const { recording, interceptionId } = sink;
  const createdAt = new Date();
  const msgId = turn.msgId;
  if (turn.usage) recording.tokenUsage({ interceptionId, msgId, ...turn.usage, createdAt });
  for (const call of turn.toolCalls) {
    const outcome = outcomes.find((o) => o.call === call);
    const invocationError = outcome?.result.isError ? resultText(outcome.result) : call.injected && !outcome ? notRun : undefined;
    recording.toolUsage({
      interceptionId, msgId, tool: call.name, toolCallId: call.id, serverUrl: call.injected ? tools.get(call.name)?.serverUrl : undefined,
      args: recordedArgs(call.arguments), injected: call.injected, invocationError, createdAt,
    });
  }
  for (const thought of turn.thoughts) recording.modelThought({ interceptionId, msgId, content: thought.content, source: thought.source, createdAt });
}
