/** The client's tool_choice on the loop's last call, and the byte edit that removes a top-level field. */
import { removeTopLevelField } from '../../lib/json/json-edit';
import { toolChoiceWithoutInjected } from '../../lib/apis/openai-common/openai-tool-choice';

const INJECTED = new Set(['bmcp_calc_add']);
const edit = (text: string, choice: unknown, clientHasTools: boolean) => toolChoiceWithoutInjected(Buffer.from(text), choice, clientHasTools, INJECTED).toString();

test.each([
  ['{"tool_choice":"required","model":"m"}', '{"model":"m"}'],
  ['{"model":"m", "tool_choice" : "required" , "n":1}', '{"model":"m", "n":1}'],
  ['{"model":"m","tool_choice":{"type":"function","function":{"name":"x"}}}', '{"model":"m"}'],
  ['{ "tool_choice":"auto" }', '{  }'],
  ['{"tool_choice":"a","model":"m","tool_choice":"b"}', '{"model":"m"}'],
  ['{"model":"m"}', '{"model":"m"}'],
])('removeTopLevelField(%s)', (text, expected) => {
  const out = removeTopLevelField(Buffer.from(text), 'tool_choice').toString();
  expect(out).toBe(expected);
  expect(JSON.parse(out)).not.toHaveProperty('tool_choice');
});

test('without client tools the choice goes; with them, only a choice naming an injected tool changes', () => {
  expect(edit('{"tool_choice":"required","model":"m"}', 'required', false)).toBe('{"model":"m"}');
  expect(edit('{"tool_choice":"required"}', 'required', true)).toBe('{"tool_choice":"required"}');
  expect(edit('{"tool_choice":{"type":"function","name":"bmcp_calc_add"}}', { type: 'function', name: 'bmcp_calc_add' }, true)).toBe('{"tool_choice":"auto"}');
  const allowed = { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'client_fn' }, { type: 'function', name: 'bmcp_calc_add' }] };
  expect(edit(`{"tool_choice":${JSON.stringify(allowed)}}`, allowed, true)).toBe('{"tool_choice":"auto"}');
  expect(edit('{"model":"m"}', undefined, false)).toBe('{"model":"m"}');
});
