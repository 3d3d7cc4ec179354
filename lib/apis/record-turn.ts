/** The one place a turn becomes records: token usage per upstream call, tool usages, thoughts (and the answering model, for spans). */
import type { RecordSink } from '../recorder/record-sink';
import type { ToolOutcome, Turn } from './conversation';
import { recordedToolArguments, resultText } from '../tools/tool-results';
import type { InjectedTool } from '../tools/types';

/** What a turn's records need besides the turn. */
export interface TurnRecordContext {
  /** The results of its injected calls. Defaults to none. */
  readonly outcomes?: readonly ToolOutcome[];
  /** What was injected, by shown name (for each call's server URL). Defaults to none. */
  readonly tools?: ReadonlyMap<string, InjectedTool>;
  /** Why an injected call without an outcome did not run. */
  readonly notRun?: string;
}

const NO_OUTCOMES: readonly ToolOutcome[] = [];

/** Records `turn`. */
export function recordTurn(sink: RecordSink, turn: Turn, { outcomes = NO_OUTCOMES, tools, notRun }: TurnRecordContext = {}): void {
  const { recording, interceptionId } = sink;
  const createdAt = new Date();
  const msgId = turn.msgId;
  const metrics = sink.metrics;
  // A call whose answer carried no usage is "not reported" (counted in the end record), never zero tokens.
  if (turn.usage) recording.tokenUsage({ interceptionId, msgId, ...turn.usage, createdAt });
  else recording.usageNotReported();
  if (turn.usage) metrics?.tokens(turn.usage);
  if (turn.usage) sink.limits?.spend(turn.usage);
  if (turn.usage) sink.tracing?.usage(turn.usage);
  if (turn.model !== undefined) sink.tracing?.responseModel(turn.model);
  for (const call of turn.toolCalls) {
    const outcome = outcomes.find((o) => o.call === call);
    const invocationError = outcome?.result.isError ? resultText(outcome.result) : call.injected && !outcome ? notRun : undefined;
    if (metrics && !call.ranUpstream) metrics.toolCall(tools?.get(call.name), call.injected, outcome ? (outcome.result.isError ? 'error' : 'ok') : 'not_run');
    recording.toolUsage({
      interceptionId, msgId, tool: call.name, toolCallId: call.id, serverUrl: call.injected ? tools?.get(call.name)?.serverUrl : undefined,
      args: recordedToolArguments(call.arguments), injected: call.injected, invocationError, createdAt,
    });
  }
  for (const thought of turn.thoughts) recording.modelThought({ interceptionId, msgId, content: thought.content, source: thought.source, createdAt });
}
