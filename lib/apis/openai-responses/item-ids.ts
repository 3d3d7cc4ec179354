/** Output item ids of the Responses API: those a request references (`item_reference`), those an answer creates. */
import { arrayElements, JsonEditError, objectFields, type NamedField } from '../../json/json-edit';
import { isObject } from '../../json/parse-object';

// An element can only reference an item through an `id` key, written plainly or with `\u` escapes: a body holding
// neither (most do not) is ruled out by two byte searches, without walking its input.
const ID_KEY = Buffer.from('"id"');
const ESCAPE = Buffer.from('\\u');
const QUOTE = 0x22;

/** A field's value when it is a JSON string; undefined for any other value. */
function stringValue(raw: Buffer, field: NamedField): string | undefined {
  if (raw[field.valueStart] !== QUOTE) return undefined;
  return JSON.parse(raw.toString('utf8', field.valueStart, field.valueEnd)) as string;
}

/**
 * Whether an input element may be read upstream as an item reference: `type` is `item_reference` or null (the API
 * lets a reference leave it out), or absent from an element that is no message either (no `role`). Every repeated
 * `type` counts: a parser may keep either.
 */
function mayReference(element: Buffer, fields: readonly NamedField[]): boolean {
  const types = fields.filter((f) => f.key === 'type');
  if (types.length === 0) return !fields.some((f) => f.key === 'role');
  return types.some((f) => element.toString('latin1', f.valueStart, f.valueEnd) === 'null' || stringValue(element, f) === 'item_reference');
}

/**
 * The distinct ids of the items the request's `input` (or another top-level list: a conversation's `items`)
 * references, read from the client's bytes: every such list and every `id` of a repeated key counts, so no choice a
 * parser makes between repeats hides a reference from the check. Throws a {@link JsonEditError} for bytes that are
 * not one JSON object.
 */
export function referencedItems(raw: Buffer, list = 'input'): string[] {
  if (!raw.includes(ID_KEY) && !raw.includes(ESCAPE)) return [];
  const ids = new Set<string>();
  for (const input of objectFields(raw)) {
    if (input.key !== list || raw[input.valueStart] !== 0x5b) continue;
    for (const [start, end] of arrayElements(raw.subarray(input.valueStart, input.valueEnd))) {
      const element = raw.subarray(input.valueStart + start, input.valueStart + end);
      if (element[0] !== 0x7b) continue;
      const fields = objectFields(element);
      if (!mayReference(element, fields)) continue;
      for (const f of fields) {
        const id = f.key === 'id' ? stringValue(element, f) : undefined;
        if (id !== undefined) ids.add(id);
      }
    }
  }
  return [...ids];
}

/** What a blocking answer created: the response id and the ids of its output items. */
export interface CreatedInAnswer {
  id: string;
  items: string[];
}

/** The response id and output item ids of a blocking answer, read with a byte scan (the last of a repeated key, as JSON.parse keeps it). */
export function createdInAnswer(answer: Buffer): CreatedInAnswer | undefined {
  try {
    let id: string | undefined;
    let output: NamedField | undefined;
    for (const field of objectFields(answer)) {
      if (field.key === 'id') id = stringValue(answer, field);
      else if (field.key === 'output') output = field;
    }
    if (id === undefined) return undefined;
    const items: string[] = [];
    if (output && answer[output.valueStart] === 0x5b) {
      const list = answer.subarray(output.valueStart, output.valueEnd);
      for (const [start, end] of arrayElements(list)) {
        if (list[start] !== 0x7b) continue;
        const element = list.subarray(start, end);
        let itemId: string | undefined;
        for (const f of objectFields(element)) if (f.key === 'id') itemId = stringValue(element, f);
        if (itemId !== undefined) items.push(itemId);
      }
    }
    return { id, items };
  } catch (err) {
    if (err instanceof JsonEditError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The distinct string ids of parsed output items (an event's `response.output`, finished items), in order. */
export function itemIdsOf(...lists: ReadonlyArray<readonly unknown[]>): string[] {
  const ids = new Set<string>();
  for (const list of lists) for (const item of list) if (isObject(item) && typeof item.id === 'string') ids.add(item.id);
  return [...ids];
}
