/** A chat-completions request's calls: the client's body as it is without injected tools; with them, bodies with tools and tool messages; answers read into turns. */
import type { Conversation, StreamObserver, ToolOutcome, Turn } from '../conversation';
import { resultTextForModel } from '../../tools/tool-results';
import type { InjectedTool } from '../../tools/types';
import { appendToTopLevelArray } from '../../json/json-append';
import { setTopLevelField } from '../../json/json-edit';
import { sumAll } from '../sum-usage';
import { ChatStreamObserver, type ChatStreamState } from './chat-stream-observer';
import { answerToolCalls, chatTurn } from './chat-turn';
import { toolChoiceWithoutInjected } from '../openai-common/openai-tool-choice';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { type JsonObject, parseObject } from '../../json/parse-object';

const NONE: readonly string[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();

function toolJson(tool: InjectedTool): string {
  return JSON.stringify({ type: 'function', function: { name: tool.name, description: tool.description ?? '', parameters: tool.inputSchema } });
}

function toolMessage(outcome: ToolOutcome): string {
  return JSON.stringify({ role: 'tool', tool_call_id: outcome.call.id, content: resultTextForModel(outcome.result) });
}

export interface ChatConversationOptions {
  /** The request body as the upstream gets it without tools (the client's bytes, `include_usage` added when streaming). */
  base: Buffer;
  tools: readonly InjectedTool[];
  /** The client asked for the usage chunk itself. */
  clientWantsUsage: boolean;
  /** The client's parsed `tool_choice`, if it sent one. */
  toolChoice?: unknown;
  /** The client sent tools of its own. */
  clientHasTools?: boolean;
  /** Bounds what the stream observers keep. Defaults to none. */
  budget?: AccumulationBudget;
}

/**
 * Takes injected calls out of every choice of a blocking answer (the last turn of a loop that ended on a client
 * call, the iteration cap, or `n` > 1): a choice left without calls ends with `stop`. True when any was there.
 */
function hideInjectedCalls(answer: JsonObject, injected: ReadonlySet<string>): boolean {
  let hid = false;
  for (const choice of Array.isArray(answer.choices) ? answer.choices : []) {
    const message = choice && typeof choice === 'object' ? (choice as JsonObject).message as JsonObject | undefined : undefined;
    if (!message || typeof message !== 'object' || !Array.isArray(message.tool_calls)) continue;
    const calls = (message.tool_calls as JsonObject[]).filter((c) => !injected.has(((c?.function ?? {}) as JsonObject).name as string));
    if (calls.length === message.tool_calls.length) continue;
    hid = true;
    if (calls.length > 0) {
      message.tool_calls = calls;
      continue;
    }
    delete message.tool_calls;
    if ((choice as JsonObject).finish_reason === 'tool_calls') (choice as JsonObject).finish_reason = 'stop';
  }
  return hid;
}

/** One chat-completions request: one call without injected tools, the loop's calls with them. */
export class ChatConversation implements Conversation {
  private readonly toolsJson: readonly string[];
  private readonly state: ChatStreamState;
  private readonly appended: string[] = [];
  private readonly usages: unknown[] = [];
  private withTools: boolean;
  private lastText: string | null = null;
  private lastParsed: JsonObject | undefined;
  private base: Buffer;

  constructor(private readonly options: ChatConversationOptions) {
    this.base = options.base;
    this.withTools = options.tools.length > 0;
    this.toolsJson = this.withTools ? options.tools.map(toolJson) : NONE;
    this.state = { injected: this.withTools ? new Set(options.tools.map((t) => t.name)) : NO_NAMES, clientWantsUsage: options.clientWantsUsage, firstId: undefined, usages: this.usages, budget: options.budget ?? UNBOUNDED };
  }

  body(): Buffer {
    let body = this.base;
    if (!this.withTools && this.appended.length === 0) return body;
    if (this.withTools) {
      body = appendToTopLevelArray(body, 'tools', this.toolsJson);
      body = setTopLevelField(body, 'parallel_tool_calls', 'false');
    }
    return appendToTopLevelArray(body, 'messages', this.appended);
  }

  readAnswer(answer: Buffer): Turn | undefined {
    const parsed = parseObject(answer);
    this.lastParsed = parsed;
    if (!parsed) return undefined;
    const choice = Array.isArray(parsed.choices) ? (parsed.choices[0] as JsonObject | undefined) : undefined;
    const message = (choice?.message ?? {}) as JsonObject;
    this.usages.push(parsed.usage);
    this.lastText = typeof message.content === 'string' ? message.content : null;
    return chatTurn(parsed, answerToolCalls(parsed), this.state.injected);
  }

  observe(iteration: number): StreamObserver {
    const observer = new ChatStreamObserver(this.state, iteration);
    this.current = observer;
    return observer;
  }

  private current: ChatStreamObserver | undefined;

  continueWith(turn: Turn, outcomes: readonly ToolOutcome[]): void {
    const text = this.current ? this.current.text() : this.lastText;
    const toolCalls = turn.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    this.appended.push(JSON.stringify({ role: 'assistant', content: text || null, tool_calls: toolCalls }));
    for (const outcome of outcomes) this.appended.push(toolMessage(outcome));
  }

  dropInjectedTools(): void {
    this.withTools = false;
    this.base = toolChoiceWithoutInjected(this.base, this.options.toolChoice, this.options.clientHasTools === true, this.state.injected);
  }

  finalAnswer(last: Buffer): Buffer {
    if (this.state.injected.size === 0) return last; // nothing injected, nothing to hide: the upstream's bytes
    const parsed = this.lastParsed ?? (JSON.parse(last.toString('utf8')) as JsonObject);
    const hid = hideInjectedCalls(parsed, this.state.injected);
    if (!hid && this.usages.length <= 1) return last; // one call, nothing hidden: the upstream's bytes, untouched
    if (this.usages.length > 1) parsed.usage = sumAll(this.usages);
    return Buffer.from(JSON.stringify(parsed));
  }

  streamTail(last: StreamObserver): Buffer {
    return (last as ChatStreamObserver).tail();
  }
}
