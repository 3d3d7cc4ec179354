/** Names of the tools a client sent (so that an injected tool never shares one), read from the API's own tool shape. */
import { type JsonObject, isObject } from '../json/parse-object';


/** The string names `nameOf` finds in the entries of `tools` (not an array: none). */
export function clientToolNames(tools: unknown, nameOf: (tool: JsonObject) => unknown): string[] {
  if (!Array.isArray(tools)) return [];
  const names: string[] = [];
  for (const tool of tools) {
    const name = isObject(tool) ? nameOf(tool) : undefined;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** A tool's `name`, or the `name` of its nested definition (chat: `function`, `custom`). */
export function nameOrNested(tool: JsonObject): unknown {
  if (typeof tool.name === 'string') return tool.name;
  const nested = isObject(tool.function) ? tool.function : isObject(tool.custom) ? tool.custom : undefined;
  return nested?.name;
}
