/**
 * Hides injected tool calls from streamed chat deltas, in every choice. A call is judged by its name; deltas that
 * come before the name are held until it arrives (then dropped for an injected call, released for a client's),
 * so an upstream that names a call late cannot show its arguments. Client calls are renumbered without gaps.
 */
import { type JsonObject, isObject } from '../../json/parse-object';

import { UNBOUNDED, type AccumulationBudget } from '../../streaming/accumulation-budget';

type CallState = { kind: 'pending'; held: JsonObject[] } | { kind: 'injected' } | { kind: 'client'; clientIndex: number };

function nameOf(call: JsonObject): string | undefined {
  const fn = call.function;
  return isObject(fn) && typeof fn.name === 'string' && fn.name !== '' ? fn.name : undefined;
}

/** The held deltas of one call and the delta that named it, as one delta (arguments joined in order). */
function merged(held: readonly JsonObject[], last: JsonObject): JsonObject {
  const parts = [...held, last];
  const out: JsonObject = { ...last };
  const id = parts.find((p) => typeof p.id === 'string' && p.id !== '')?.id;
  if (id !== undefined) out.id = id;
  const type = parts.find((p) => typeof p.type === 'string')?.type;
  if (type !== undefined) out.type = type;
  let args = '';
  for (const p of parts) if (isObject(p.function) && typeof p.function.arguments === 'string') args += p.function.arguments;
  out.function = { ...(isObject(last.function) ? last.function : {}), arguments: args };
  return out;
}

export class ChatCallFilter {
  private readonly calls = new Map<string, CallState>();
  private readonly nextClientIndex = new Map<number, number>();

  /**
   * `budget` counts the arguments of held deltas: the accumulator keeps only choice 0, so an upstream that never
   * names a call in another choice would otherwise make this filter hold its arguments without end.
   */
  constructor(private readonly injected: ReadonlySet<string>, private readonly budget: AccumulationBudget = UNBOUNDED) {}

  /** Edits `choice.delta.tool_calls` in place for the client; true when anything changed. */
  filter(choice: JsonObject, position: number): boolean {
    const delta = choice.delta;
    if (!isObject(delta) || !Array.isArray(delta.tool_calls)) return false;
    const choiceIndex = typeof choice.index === 'number' ? choice.index : position;
    const kept: JsonObject[] = [];
    let changed = false;
    delta.tool_calls.forEach((call: unknown, i: number) => {
      if (!isObject(call)) return;
      const out = this.pass(call, choiceIndex, typeof call.index === 'number' ? call.index : i);
      if (out !== call) changed = true;
      if (out) kept.push(out);
    });
    if (!changed && kept.length === delta.tool_calls.length) return false;
    if (kept.length > 0) delta.tool_calls = kept;
    else delete delta.tool_calls;
    return true;
  }

  /** What the client gets of one call delta: itself, an edited copy, or nothing. */
  private pass(call: JsonObject, choiceIndex: number, index: number): JsonObject | undefined {
    const key = `${choiceIndex}:${index}`;
    let state = this.calls.get(key);
    const name = nameOf(call);
    let out = call;
    if (!state || state.kind === 'pending') {
      if (name === undefined) {
        // Arguments, id and whatever else the held delta carries.
        this.budget.charge(JSON.stringify(call).length);
        if (state) state.held.push(call);
        else this.calls.set(key, { kind: 'pending', held: [call] });
        return undefined;
      }
      if (state) out = merged(state.held, call);
      state = this.injected.has(name) ? { kind: 'injected' } : { kind: 'client', clientIndex: this.nextIndex(choiceIndex) };
      this.calls.set(key, state);
    }
    if (state.kind === 'injected') return undefined;
    if (name !== undefined && this.injected.has(name)) {
      // A client call renamed midway to an injected tool: the client keeps the name it was first given.
      out = { ...out, function: { ...(out.function as JsonObject) } };
      delete (out.function as JsonObject).name;
    }
    if (state.clientIndex !== index) out = { ...out, index: state.clientIndex };
    return out;
  }

  private nextIndex(choiceIndex: number): number {
    const next = this.nextClientIndex.get(choiceIndex) ?? 0;
    this.nextClientIndex.set(choiceIndex, next + 1);
    return next;
  }
}
