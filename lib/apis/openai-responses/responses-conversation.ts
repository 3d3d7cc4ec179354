/** A Responses request's calls: the client's body as it is without injected tools; with them, bodies with tools and resent input; answers read into turns. */
import type { Conversation, StreamObserver, ToolOutcome, Turn } from '../conversation';
import { resultTextForModel } from '../../tools/tool-results';
import type { InjectedTool } from '../../tools/types';
import { appendToTopLevelArray } from '../../json/json-append';
import { setTopLevelField } from '../../json/json-edit';
import { sumAll } from '../sum-usage';
import { errorEvent } from './events';
import { isInjectedCall, turnOfResponse } from './output-items';
import { ResponsesStreamObserver, type ResponsesStreamState } from './responses-stream-observer';
import { parseObject } from '../../json/parse-object';
import { hideInjectedToolsEcho } from './tools-echo';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { toolChoiceWithoutInjected } from '../openai-common/openai-tool-choice';
import type { CreatedResponses } from '../../ownership/ownership-guard';

const NONE: readonly string[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();

function toolJson(tool: InjectedTool): string {
  return JSON.stringify({ type: 'function', name: tool.name, description: tool.description ?? '', parameters: tool.inputSchema, strict: false });
}

function outputItem(outcome: ToolOutcome): string {
  return JSON.stringify({ type: 'function_call_output', call_id: outcome.call.id, output: resultTextForModel(outcome.result) });
}

export interface ResponsesConversationOptions {
  /** The client's body bytes. */
  raw: Buffer;
  /** The client's parsed `input`. */
  input: unknown;
  /** The request names a `conversation`: the upstream keeps every item itself, so only new items are sent. */
  chained: boolean;
  tools: readonly InjectedTool[];
  /** The client's parsed `tool_choice`, if it sent one. */
  toolChoice?: unknown;
  /** The client sent tools of its own (hosted ones included). */
  clientHasTools?: boolean;
  /** Bounds what the stream observers keep. Defaults to none. */
  budget?: AccumulationBudget;
  /** Owns the items each streamed call creates (the upstream stores them, with a pool key). Defaults to none. */
  created?: CreatedResponses;
}

/**
 * One Responses request: one call without injected tools, the loop's calls with them. Whether the client stores
 * responses is unknown, so each later call resends the client's input plus every item of the loop so far (the
 * model's output items as received, and one `function_call_output` per injected call); with a `conversation`, the
 * upstream already holds them.
 */
export class ResponsesConversation implements Conversation {
  private readonly toolsJson: readonly string[];
  private readonly state: ResponsesStreamState;
  private appended: string[] = [];
  private withTools: boolean;
  private lastItems: unknown[] = [];
  private current: ResponsesStreamObserver | undefined;
  private base: Buffer;

  constructor(private readonly options: ResponsesConversationOptions) {
    this.base = options.raw;
    this.withTools = options.tools.length > 0;
    this.toolsJson = this.withTools ? options.tools.map(toolJson) : NONE;
    this.state = { injected: this.withTools ? new Set(options.tools.map((t) => t.name)) : NO_NAMES, nextSequence: undefined, nextIndex: 0, visible: [], usages: [], budget: options.budget ?? UNBOUNDED, created: options.created };
  }

  body(): Buffer {
    let body = this.base;
    if (this.withTools) {
      body = appendToTopLevelArray(body, 'tools', this.toolsJson);
      body = setTopLevelField(body, 'parallel_tool_calls', 'false');
    }
    if (this.appended.length === 0) return body;
    if (this.options.chained) return setTopLevelField(body, 'input', `[${this.appended.join(',')}]`);
    if (typeof this.options.input === 'string') {
      // The one client value re-serialised: a string input cannot take appended items.
      body = setTopLevelField(body, 'input', JSON.stringify([{ role: 'user', content: this.options.input }]));
    }
    return appendToTopLevelArray(body, 'input', this.appended);
  }

  readAnswer(answer: Buffer): Turn | undefined {
    const parsed = parseObject(answer);
    if (!parsed) return undefined;
    const items = Array.isArray(parsed.output) ? parsed.output : [];
    this.lastItems = items;
    this.current = undefined;
    for (const item of items) if (!isInjectedCall(item, this.state.injected)) this.state.visible.push(item);
    this.state.usages.push(parsed.usage);
    return turnOfResponse(parsed, items, this.state.injected);
  }

  observe(iteration: number): StreamObserver {
    this.current = new ResponsesStreamObserver(this.state, iteration);
    return this.current;
  }

  continueWith(_turn: Turn, outcomes: readonly ToolOutcome[]): void {
    const outputs = outcomes.map(outputItem);
    if (this.options.chained) {
      this.appended = outputs;
      return;
    }
    const items = this.current ? this.current.outputItems() : this.lastItems;
    for (const item of items) this.appended.push(JSON.stringify(item));
    this.appended.push(...outputs);
  }

  dropInjectedTools(): void {
    this.withTools = false;
    this.base = toolChoiceWithoutInjected(this.base, this.options.toolChoice, this.options.clientHasTools === true, this.state.injected);
  }

  finalAnswer(last: Buffer): Buffer {
    if (this.state.injected.size === 0) return last; // nothing injected, nothing to hide: the upstream's bytes
    const parsed = JSON.parse(last.toString('utf8')) as Record<string, unknown>;
    const echoed = hideInjectedToolsEcho(parsed, this.state.injected);
    if (!echoed && this.state.usages.length <= 1 && this.state.visible.length === this.lastItems.length) return last; // one call, nothing hidden
    parsed.output = this.state.visible;
    parsed.usage = sumAll(this.state.usages);
    return Buffer.from(JSON.stringify(parsed));
  }

  streamTail(last: StreamObserver): Buffer {
    return (last as ResponsesStreamObserver).tail();
  }

  errorEvent(error: { message: string; code: string | null }): string {
    return errorEvent(error, this.state.nextSequence ?? 0);
  }
}
