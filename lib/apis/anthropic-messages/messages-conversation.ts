/** A Messages request's calls: the client's body as it is without injected tools; with them, bodies with tools and `tool_result` turns; answers read into turns. */
import type { Conversation, StreamObserver, ToolOutcome, Turn } from '../conversation';
import type { InjectedTool } from '../../tools/types';
import { appendToTopLevelArray } from '../../json/json-append';
import { setTopLevelField } from '../../json/json-edit';
import { sumAll } from '../sum-usage';
import { messageTurn } from './message-turn';
import { MessagesStreamObserver, type MessagesStreamState } from './messages-stream-observer';
import { toolResultBlock } from './tool-result';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { type JsonObject, isObject, parseObject } from '../../json/parse-object';

/** Once the iteration cap is reached: the tools stay (the history holds `tool_use` blocks, which need them), no call is allowed. */
const NO_TOOL_CALLS = '{"type":"none"}';

const NONE: readonly string[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();

function toolJson(tool: InjectedTool): string {
  return JSON.stringify({ name: tool.name, description: tool.description ?? '', input_schema: tool.inputSchema });
}

/** Content blocks fit to be sent back: the upstream refuses empty text blocks. */
function replayable(content: readonly JsonObject[]): JsonObject[] {
  return content.filter((b) => !(b.type === 'text' && (typeof b.text !== 'string' || b.text === '')));
}

/**
 * Takes injected `tool_use` blocks out of a blocking answer (a loop that ended on a client call or the iteration
 * cap): without a tool call left, `stop_reason` becomes `end_turn`. True when any was there.
 */
function hideInjectedToolUses(answer: JsonObject, injected: ReadonlySet<string>): boolean {
  if (!Array.isArray(answer.content)) return false;
  const isInjected = (b: unknown) => !!b && typeof b === 'object' && (b as JsonObject).type === 'tool_use' && injected.has((b as JsonObject).name as string);
  const content = (answer.content as unknown[]).filter((b) => !isInjected(b));
  if (content.length === answer.content.length) return false;
  answer.content = content;
  if (answer.stop_reason === 'tool_use' && !content.some((b) => !!b && typeof b === 'object' && (b as JsonObject).type === 'tool_use')) answer.stop_reason = 'end_turn';
  return true;
}

export interface MessagesConversationOptions {
  /** The client's request bytes. */
  base: Buffer;
  tools: readonly InjectedTool[];
  /** The client's `tool_choice` object, if it sent one (`disable_parallel_tool_use` is merged into it). */
  clientToolChoice: JsonObject | undefined;
  /** Bounds what the stream observers keep. Defaults to none. */
  budget?: AccumulationBudget;
}

/** One Messages request: one call without injected tools, the loop's calls with them. */
export class MessagesConversation implements Conversation {
  private readonly toolsJson: readonly string[];
  private toolChoice: string;
  private readonly state: MessagesStreamState;
  private readonly appended: string[] = [];
  private lastContent: JsonObject[] = [];
  private current: MessagesStreamObserver | undefined;

  constructor(private readonly options: MessagesConversationOptions) {
    const withTools = options.tools.length > 0;
    this.toolsJson = withTools ? options.tools.map(toolJson) : NONE;
    // One call at a time: the loop runs injected calls one after the other and cannot answer half a turn.
    this.toolChoice = !withTools ? '' : JSON.stringify({ ...(options.clientToolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true });
    this.state = { injected: withTools ? new Set(options.tools.map((t) => t.name)) : NO_NAMES, nextIndex: 0, usages: [], budget: options.budget ?? UNBOUNDED };
  }

  body(): Buffer {
    if (this.options.tools.length === 0) return this.options.base;
    let body = appendToTopLevelArray(this.options.base, 'tools', this.toolsJson);
    body = setTopLevelField(body, 'tool_choice', this.toolChoice);
    return appendToTopLevelArray(body, 'messages', this.appended);
  }

  readAnswer(answer: Buffer): Turn | undefined {
    const parsed = parseObject(answer);
    if (!parsed || !Array.isArray(parsed.content)) return undefined;
    const usage = isObject(parsed.usage) ? parsed.usage : undefined;
    this.state.usages.push(usage);
    this.lastContent = parsed.content.filter(isObject);
    this.current = undefined;
    return messageTurn(parsed, this.lastContent, usage, this.state.injected);
  }

  observe(iteration: number): StreamObserver {
    this.current = new MessagesStreamObserver(this.state, iteration);
    return this.current;
  }

  continueWith(_turn: Turn, outcomes: readonly ToolOutcome[]): void {
    // The model's blocks as received: with thinking on, the upstream requires its signed thinking blocks back.
    const content = this.current ? this.current.content() : this.lastContent;
    this.appended.push(JSON.stringify({ role: 'assistant', content: replayable(content) }));
    this.appended.push(JSON.stringify({ role: 'user', content: outcomes.map(toolResultBlock) }));
  }

  dropInjectedTools(): void {
    this.toolChoice = NO_TOOL_CALLS;
  }

  finalAnswer(last: Buffer): Buffer {
    if (this.state.injected.size === 0) return last; // nothing injected, nothing to hide: the upstream's bytes
    const parsed = JSON.parse(last.toString('utf8')) as JsonObject;
    const hid = hideInjectedToolUses(parsed, this.state.injected);
    if (!hid && this.state.usages.length <= 1) return last; // one call, nothing hidden: the upstream's bytes, untouched
    if (this.state.usages.length > 1) parsed.usage = sumAll(this.state.usages);
    return Buffer.from(JSON.stringify(parsed));
  }

  streamTail(last: StreamObserver): Buffer {
    return (last as MessagesStreamObserver).tail();
  }
}
