/** Rebuilds an Anthropic message from its stream events: id, model, content blocks as received, merged usage. */
import { mergeUsage } from './usage';
import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';
import { type JsonObject, isObject } from '../../json/parse-object';

interface OpenBlock {
  block: JsonObject;
  /** `input_json_delta` fragments of a tool call, joined. */
  json: string;
  hasJson: boolean;
}

/**
 * Folds parsed stream events into one message. Every field is type-checked and anything unexpected skipped:
 * recording must never break the relayed stream. Block types the bridge does not know are kept as they started.
 */
export class MessageAccumulator {
  id: string | undefined;
  /** As `message_start` names it (bounded when the turn reads it). */
  model: string | undefined;
  usage: JsonObject | undefined;
  stopReason: string | undefined;
  private readonly blocks = new Map<number, OpenBlock>();

  /** `budget` bounds what is kept (block starts, text, thinking, tool-call JSON, citations); past it `add` throws. */
  constructor(private readonly budget: AccumulationBudget = UNBOUNDED) {}

  add(event: JsonObject): void {
    switch (event.type) {
      case 'message_start': {
        const message = isObject(event.message) ? event.message : {};
        if (typeof message.id === 'string') this.id = message.id;
        if (typeof message.model === 'string') this.model = message.model;
        this.usage = mergeUsage(this.usage, message.usage);
        break;
      }
      case 'content_block_start':
        if (typeof event.index === 'number' && isObject(event.content_block)) {
          this.budget.charge(JSON.stringify(event.content_block).length);
          this.blocks.set(event.index, { block: { ...event.content_block }, json: '', hasJson: false });
        }
        break;
      case 'content_block_delta':
        if (typeof event.index === 'number' && isObject(event.delta)) this.addDelta(event.index, event.delta);
        break;
      case 'message_delta':
        if (isObject(event.delta) && typeof event.delta.stop_reason === 'string') this.stopReason = event.delta.stop_reason;
        this.usage = mergeUsage(this.usage, event.usage);
        break;
      default:
    }
  }

  private addDelta(index: number, delta: JsonObject): void {
    const open = this.blocks.get(index);
    if (!open) return;
    const b = open.block;
    switch (delta.type) {
      case 'text_delta':
        if (typeof delta.text === 'string') {
          this.budget.charge(delta.text.length);
          b.text = (typeof b.text === 'string' ? b.text : '') + delta.text;
        }
        break;
      case 'thinking_delta':
        if (typeof delta.thinking === 'string') {
          this.budget.charge(delta.thinking.length);
          b.thinking = (typeof b.thinking === 'string' ? b.thinking : '') + delta.thinking;
        }
        break;
      case 'signature_delta':
        if (typeof delta.signature === 'string') b.signature = delta.signature;
        break;
      case 'input_json_delta':
        if (typeof delta.partial_json === 'string') {
          this.budget.charge(delta.partial_json.length);
          open.json += delta.partial_json;
          open.hasJson = true;
        }
        break;
      case 'citations_delta':
        if (delta.citation !== undefined) {
          this.budget.charge(JSON.stringify(delta.citation)?.length ?? 0);
          b.citations = [...(Array.isArray(b.citations) ? b.citations : []), delta.citation];
        }
        break;
      default:
    }
  }

  /**
   * The content blocks in upstream order. A tool call's `input` is its streamed JSON when that parses; when it
   * does not (a `max_tokens` cut), `input` stays as the block started (`{}`) and {@link argumentsOf} has the text.
   */
  content(): JsonObject[] {
    const out: JsonObject[] = [];
    for (const index of [...this.blocks.keys()].sort((a, b) => a - b)) {
      const open = this.blocks.get(index)!;
      if (open.hasJson) {
        try {
          open.block.input = JSON.parse(open.json === '' ? '{}' : open.json);
        } catch {
          // invalid (cut) JSON: the loop turns it into a tool error; the replayed block keeps a valid `input`
        }
      }
      out.push(open.block);
    }
    return out;
  }

  /** The arguments text of the tool call at upstream `index` as the model wrote them. */
  argumentsOf(block: JsonObject): string {
    for (const open of this.blocks.values()) if (open.block === block && open.hasJson) return open.json;
    return JSON.stringify(block.input ?? {});
  }
}
