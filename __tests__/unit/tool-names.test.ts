/** Shown names of MCP tools (sanitised, bounded, unique, sorted), allow/deny, and the model's arguments. */
import { assignToolNames, isToolAllowed, MAX_TOOL_NAME_LENGTH, sanitizeNamePart, statelessRegExp } from '../../lib/tools/tool-names';
import { toolArguments } from '../../lib/tools/tool-results';

const ref = (serverName: string, toolName: string) => ({ serverName, toolName });
const names = (tools: Array<{ serverName: string; toolName: string }>) => assignToolNames(tools).named.map((n) => n.name);
const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

describe('assignToolNames', () => {
  test('bmcp_<server>_<tool>, sanitised to [a-zA-Z0-9_-], one `_` per code point', () => {
    expect(names([ref('deep wiki', 'ask.question'), ref('fs', 'read-file'), ref('ü', 'a😀b')])).toEqual([
      'bmcp___a_b', 'bmcp_deep_wiki_ask_question', 'bmcp_fs_read-file',
    ].sort());
    expect(sanitizeNamePart('a😀b')).toBe('a_b');
  });

  test('too long: cut to 64 characters and ended by a hash of the raw pair', () => {
    const [name] = names([ref('server', 'x'.repeat(100))]);
    expect(name).toHaveLength(MAX_TOOL_NAME_LENGTH);
    expect(name).toMatch(/^bmcp_server_x+_[0-9a-f]{8}$/);
    expect(names([ref('server', 'x'.repeat(100))])).toEqual([name]);
    expect(names([ref('server', `${'x'.repeat(99)}y`)])[0]).not.toBe(name);
  });

  test('two tools that sanitise to the same name both get distinct hashed names', () => {
    const out = assignToolNames([ref('a', 'b.c'), ref('a', 'b_c'), ref('a_b', 'c'), ref('a', 'other')]).named;
    const byTool = new Map(out.map((n) => [`${n.tool.serverName}/${n.tool.toolName}`, n.name]));
    expect(byTool.get('a/other')).toBe('bmcp_a_other');
    const hashed = [byTool.get('a/b.c'), byTool.get('a/b_c'), byTool.get('a_b/c')];
    for (const name of hashed) expect(name).toMatch(/^bmcp_a_b_c_[0-9a-f]{8}$/);
    expect(new Set(hashed).size).toBe(3);
  });

  test('sorted by shown name, whatever order the tools came in', () => {
    const tools = [ref('zeta', 'b'), ref('alpha', 'z'), ref('alpha', 'a'), ref('mid', 'B'), ref('mid', 'a')];
    const sorted = names(tools);
    expect(sorted).toEqual(['bmcp_alpha_a', 'bmcp_alpha_z', 'bmcp_mid_B', 'bmcp_mid_a', 'bmcp_zeta_b']);
    expect(names([...tools].reverse())).toEqual(sorted);
  });

  test('every name is valid and unique over awkward inputs; a pair listed twice is kept once', () => {
    const tools = [ref('s', ''), ref('', 's'), ref('s', 's'), ref('s', 's'), ref('a'.repeat(80), 'b'.repeat(80)), ref('s', '__')];
    const { named, dropped } = assignToolNames(tools);
    for (const { name } of named) expect(name).toMatch(VALID);
    expect(new Set(named.map((n) => n.name)).size).toBe(named.length);
    expect(dropped).toEqual([ref('s', 's')]);
  });
});

describe('isToolAllowed', () => {
  test.each([
    [undefined, undefined, 'anything', true],
    [/^read_/, undefined, 'read_file', true],
    [/^read_/, undefined, 'write_file', false],
    [undefined, /delete/, 'delete_repo', false],
    [/_file$/, /^write/, 'write_file', false],
    [/_file$/, /^write/, 'read_file', true],
  ])('allow %s deny %s: %s → %s', (allow, deny, name, expected) => {
    expect(isToolAllowed(name, allow, deny)).toBe(expected);
  });

  test('a global regex gives the same answer on every call once made stateless', () => {
    const allow = statelessRegExp(/^read/g);
    expect([1, 2, 3].map(() => isToolAllowed('read_file', allow, undefined))).toEqual([true, true, true]);
    expect(allow.flags).toBe('');
  });
});

describe('toolArguments', () => {
  test.each([
    [{ a: 1 }, { a: 1 }],
    ['{"a":1}', { a: 1 }],
    [undefined, {}],
    [null, {}],
    ['', {}],
  ])('%p → %p', (raw, expected) => {
    expect(toolArguments(raw)).toEqual(expected);
  });

  test.each([['{not json'], ['[1,2]'], ['"text"'], [[1]], [42]])('%p is refused with a reason', (raw) => {
    expect(typeof toolArguments(raw)).toBe('string');
  });
});
