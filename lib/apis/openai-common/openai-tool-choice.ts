/** A client's OpenAI `tool_choice` (chat and Responses) on the loop's last call, which goes without the injected tools. */
import { removeTopLevelField, setTopLevelField } from '../../json/json-edit';

/** How deep a `tool_choice` object is searched for a tool name (real ones are two or three levels deep). */
const MAX_DEPTH = 6;

function mentions(value: unknown, names: ReadonlySet<string>, depth: number): boolean {
  if (typeof value === 'string') return names.has(value);
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((v) => mentions(v, names, depth + 1));
}

/**
 * `body` (the client's bytes) fit for a call without the injected tools. The upstream refuses a `tool_choice`
 * with no tools, or one naming a tool it was not given: without client tools the choice goes; with them, a choice
 * that names an injected tool (`{"type":"function",…}`, `allowed_tools`) becomes `"auto"`; any other (`"required"`
 * included) stays, since it can only be met by a client tool.
 */
export function toolChoiceWithoutInjected(body: Buffer, choice: unknown, clientHasTools: boolean, injected: ReadonlySet<string>): Buffer {
  if (choice === undefined) return body;
  if (!clientHasTools) return removeTopLevelField(body, 'tool_choice');
  return mentions(choice, injected, 0) ? setTopLevelField(body, 'tool_choice', '"auto"') : body;
}
