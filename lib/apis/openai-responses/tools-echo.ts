/** A Responses `response` object echoes the request's `tools`: the injected ones are taken out before the client sees it. */
import { isObject } from '../../json/parse-object';

/** Removes injected function tools from `response.tools` in place; true when any was there. */
export function hideInjectedToolsEcho(response: unknown, injected: ReadonlySet<string>): boolean {
  if (!isObject(response) || !Array.isArray(response.tools)) return false;
  const tools = response.tools.filter((t) => !(isObject(t) && t.type === 'function' && typeof t.name === 'string' && injected.has(t.name)));
  if (tools.length === response.tools.length) return false;
  response.tools = tools;
  return true;
}
