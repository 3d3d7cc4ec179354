/** The client table's order, its bounds on hostile session values, and the validation of host rules. */
import { ClientDetector, MAX_SESSION_ID_LENGTH, clientDetectorFor, defaultClientDetector } from '../../lib/observability/client-detector';
import { claudeCodeSessionFromBody } from '../../lib/observability/clients';

const detect = (headers: Record<string, string | string[]>, body?: unknown) => defaultClientDetector.detect(headers, body);

describe('order: the tool wins over the SDK or library it embeds', () => {
  test.each([
    ['opencode/1.18.33 ai-sdk/provider-utils/4.0.23 runtime/bun/1.3.14', 'opencode'],
    ['ai/7.0.185 ai-sdk/provider-utils/4.0.23 runtime/node.js/22', 'vercel-ai-sdk'],
    ['OpenAI/JS 6.49.0', 'openai-node'],
    ['codexa/1.0', undefined],
    ['claude-cli 2.0', undefined],
    ['myopencode-tool/1.0', undefined],
  ])('%s → %s', (ua, client) => {
    expect(detect({ 'user-agent': ua }).client).toBe(client);
  });

  test('a distinguishing header names the tool whatever the User-Agent (an SDK, or none)', () => {
    expect(detect({ 'user-agent': 'OpenAI/JS 6.49.0', 'x-kilocode-taskid': 't-1' })).toEqual({ client: 'kilo-code', sessionId: 't-1' });
    expect(detect({ 'user-agent': 'OpenAI/JS 5.12.2', 'x-title': 'Roo Code' }).client).toBe('roo-code');
    expect(detect({ 'copilot-integration-id': 'vscode-chat', 'x-interaction-id': 'i-1' })).toEqual({ client: 'copilot-vscode', sessionId: 'i-1' });
  });

  test('client() names the same client as detect(), headers and User-Agent alike', () => {
    const cases: Array<Record<string, string>> = [{ 'user-agent': 'OpenAI/JS 6.49.0', 'x-kilocode-taskid': 't-1' }, { 'user-agent': 'opencode/1.0' }, { 'user-agent': 'codexa/1.0' }, {}];
    for (const headers of cases) {
      expect(defaultClientDetector.client(headers)).toBe(detect(headers).client);
    }
    expect(defaultClientDetector.client({ 'copilot-integration-id': 'vscode-chat' })).toBe('copilot-vscode');
  });

  test("a tool's own session header comes before the common ones", () => {
    expect(detect({ 'user-agent': 'opencode/1.0', 'x-session-id': 'common', 'x-opencode-session': 'own' }).sessionId).toBe('own');
    expect(detect({ 'user-agent': 'Cline/3.0.47', 'x-session-id': 'common' }).sessionId).toBe('common');
  });

  test('a session header is read before the body', () => {
    const body = { metadata: { user_id: 'user_ab_account__session_5b0f8e4e-2f54-4c55-9a1e-8c2d9b7f1a10' } };
    expect(detect({ 'user-agent': 'claude-cli/2.1.0', 'x-claude-code-session-id': 'from-header' }, body).sessionId).toBe('from-header');
    expect(detect({ 'user-agent': 'claude-cli/2.1.0' }, body).sessionId).toBe('5b0f8e4e-2f54-4c55-9a1e-8c2d9b7f1a10');
    // Only the rule of the client that puts it there reads the body.
    expect(detect({ 'user-agent': 'OpenAI/JS 6.49.0' }, body).sessionId).toBeUndefined();
  });

  test('a remembered User-Agent still yields to an earlier rule claiming the request by header', () => {
    const d = new ClientDetector();
    expect(d.detect({ 'user-agent': 'OpenAI/JS 6.1.0' }).client).toBe('openai-node');
    expect(d.detect({ 'user-agent': 'OpenAI/JS 6.1.0', 'x-title': 'Cline' }).client).toBe('cline');
    expect(d.detect({ 'user-agent': 'OpenAI/JS 6.1.0' }).client).toBe('openai-node');
  });

  test('a flood of made-up User-Agents does not change what known ones are', () => {
    const d = new ClientDetector();
    for (let i = 0; i < 2_000; i++) expect(d.detect({ 'user-agent': `bot-${i}/1.0` }).client).toBeUndefined();
    expect(d.detect({ 'user-agent': 'Zed/0.211.6 (macos; x86_64)' }).client).toBe('zed');
  });

  test("host rules come before the built-in ones", () => {
    const d = clientDetectorFor('createBridge', { extra: [{ name: 'wrapped', userAgent: /^claude-cli\// }] });
    expect(d.detect({ 'user-agent': 'claude-cli/2.1.0' }).client).toBe('wrapped');
    expect(d.detect({ 'user-agent': 'Zed/0.211.6' }).client).toBe('zed');
  });
});

describe('hostile values', () => {
  test('a session id is cut to the cap, and the same prefix comes back every time', () => {
    const long = 's'.repeat(10_000);
    expect(detect({ 'x-session-id': long }).sessionId).toBe('s'.repeat(MAX_SESSION_ID_LENGTH));
  });

  test.each([
    ['a control byte', 'abc\u0001def'],
    ['a newline', 'abc\ndef'],
    ['latin-1 from a raw header', 'caf\u00e9'],
    ['only spaces', '   '],
    ['empty', ''],
  ])('a session id with %s is refused, and the next header is tried', (_label, value) => {
    expect(detect({ 'x-session-id': value }).sessionId).toBeUndefined();
    expect(detect({ 'x-session-id': value, 'x-client-session-id': 'ok-1' }).sessionId).toBe('ok-1');
  });

  test('surrounding spaces are trimmed', () => {
    expect(detect({ 'session-id': '  abc  ' }).sessionId).toBe('abc');
  });

  test('a repeated header (an array) is not used', () => {
    expect(detect({ 'x-session-id': ['a', 'b'] }).sessionId).toBeUndefined();
  });

  test.each([
    [{ metadata: 'x' }],
    [{ metadata: { user_id: 42 } }],
    [{ metadata: { user_id: 'user_x_account__session_not-a-uuid' } }],
    [{ metadata: { user_id: '{not json' } }],
    [{ metadata: { user_id: JSON.stringify({ session_id: 7 }) } }],
    [{ metadata: { user_id: `user_${'a'.repeat(5_000)}_session_5b0f8e4e-2f54-4c55-9a1e-8c2d9b7f1a10` } }],
    [{ metadata: { user_id: JSON.stringify({ session_id: 'x\u0000y' }) } }],
  ])('Claude Code metadata that is not its shape gives no session (case %#)', (body) => {
    expect(detect({ 'user-agent': 'claude-cli/2.1.0' }, body).sessionId).toBeUndefined();
  });

  test("a host's body reader that throws leaves the session out, and the client in", () => {
    const d = new ClientDetector([{ name: 'x', userAgent: /^x\//, sessionFromBody: () => { throw new Error('boom'); } }]);
    expect(d.detect({ 'user-agent': 'x/1' }, {})).toEqual({ client: 'x', sessionId: undefined });
  });

  test('a global RegExp from the host keeps no state between requests', () => {
    const d = clientDetectorFor('createBridge', { extra: [{ name: 'g', userAgent: /^G\//g }] });
    expect([1, 2, 3].map(() => d.detect({ 'user-agent': 'G/1' }).client)).toEqual(['g', 'g', 'g']);
  });

  test('the legacy user_id reader takes the session after the last marker only when it is a UUID', () => {
    expect(claudeCodeSessionFromBody({ metadata: { user_id: 'user_a_account_b_session_5B0F8E4E-2F54-4C55-9A1E-8C2D9B7F1A10' } })).toBe('5B0F8E4E-2F54-4C55-9A1E-8C2D9B7F1A10');
  });
});

describe('createBridge({ clients }) validation', () => {
  test.each([
    ['not an object', 'x', /`clients` must be an object/],
    ['an unknown key', { extras: [] }, /`clients.extras` is not a known option/],
    ['extra not an array', { extra: {} }, /`clients.extra` must be an array/],
    ['a bad name', { extra: [{ name: 'a b', userAgent: /x/ }] }, /`clients.extra\[0\].name`/],
    ['no way to match', { extra: [{ name: 'a' }] }, /can never match/],
    ['a string userAgent', { extra: [{ name: 'a', userAgent: 'x' }] }, /`clients.extra\[0\].userAgent` must be a RegExp/],
    ['a bad header test', { extra: [{ name: 'a', headers: { 'x-a': 'yes' } }] }, /bad entry "x-a"/],
    ['a bad session header', { extra: [{ name: 'a', userAgent: /x/, sessionHeaders: ['bad header'] }] }, /sessionHeaders/],
    ['an unknown rule key', { extra: [{ name: 'a', userAgent: /x/, ua: /x/ }] }, /`clients.extra\[0\].ua` is not a known option/],
  ])('%s is refused at creation', (_label, value, message) => {
    expect(() => clientDetectorFor('createBridge', value)).toThrow(message);
  });

  test('no option, or no extra rules, share the default detector', () => {
    expect(clientDetectorFor('createBridge', undefined)).toBe(defaultClientDetector);
    expect(clientDetectorFor('createBridge', { extra: [] })).toBe(defaultClientDetector);
  });
});
