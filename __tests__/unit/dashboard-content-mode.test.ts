/** The dashboard's one-interception view says which recordContent mode applied and what a guard edited, run as the browser runs it (in a VM). */
import vm from 'node:vm';
import { CLIENT_CORE } from '../../lib/dashboard/assets/client-core';
import { CLIENT_DETAIL } from '../../lib/dashboard/assets/client-detail';
import { CLIENT_LATENCY } from '../../lib/dashboard/assets/client-latency';

interface FakeNode { tag: string; textContent?: string; className?: string; children: FakeNode[] }

/** A document just large enough for `el`: nodes are plain objects. */
function fakeDocument() {
  const node = (tag: string): FakeNode & Record<string, unknown> => {
    const n: FakeNode & Record<string, unknown> = { tag, children: [] };
    n.appendChild = (c: FakeNode) => n.children.push(c);
    n.append = (...cs: FakeNode[]) => n.children.push(...cs);
    n.setAttribute = () => undefined;
    n.addEventListener = () => undefined;
    return n;
  };
  return {
    currentScript: { src: 'http://127.0.0.1/admin/ai/assets/dashboard.js' },
    createElement: node,
    createTextNode: (text: string) => ({ tag: '#text', textContent: text, children: [] }),
  };
}

function text(n: FakeNode): string {
  return (n.textContent ?? '') + n.children.map(text).join('');
}

/** The detail view of `d` as text, fact names followed by their values. */
function rendered(d: object): string {
  const context = vm.createContext({ URL, document: fakeDocument(), Intl });
  vm.runInContext([CLIENT_CORE, CLIENT_LATENCY, CLIENT_DETAIL].join('\n'), context);
  const nodes = (context as unknown as { renderDetail(d: object): FakeNode[] }).renderDetail(d);
  return nodes.map(text).join('\n');
}

const INTERCEPTION = {
  id: 'i-1', initiatorId: 'alice', provider: 'openai', providerName: 'openai', route: '/v1/chat/completions', model: 'gpt-4o',
  streaming: false, startedAt: '2026-12-07T10:00:00.000Z', credentialKind: 'centralized',
};
const ENDED = { id: 'i-1', endedAt: '2026-12-07T10:00:01.000Z', status: 'completed', httpStatus: 200 };

test('each mode is named; none shows the sizes of what was left out; a guard edit is shown', () => {
  const none = rendered({
    interception: { ...INTERCEPTION, contentMode: 'none' }, ended: { ...ENDED, guardEdits: ['request'] }, tokenUsages: [],
    prompts: [{ interceptionId: 'i-1', msgId: '', prompt: '', extra: { promptBytes: 1234 } }],
    tools: [{ tool: 'send_mail', toolCallId: 'c1', injected: false, args: '', extra: { argsBytes: 56 } }],
    thoughts: [{ source: 'thinking', content: '', extra: { contentBytes: 78 } }],
  });
  expect(none).toContain('Content storednone (sizes only)');
  expect(none).toContain('Guard editedrequest');
  expect(none).toContain('(not stored: 1,234 bytes)');
  expect(none).toContain('(not stored: 56 bytes)');
  expect(none).toContain('(not stored: 78 bytes)');

  const hashed = rendered({ interception: { ...INTERCEPTION, contentMode: 'hashed' }, ended: ENDED, tokenUsages: [], prompts: [{ prompt: 'sha256:ab12', extra: { promptBytes: 9 } }], tools: [], thoughts: [] });
  expect(hashed).toContain('Content storedhashed (salted SHA-256 and size)');
  expect(hashed).toContain('sha256:ab12');
  expect(hashed).not.toContain('Guard edited');

  expect(rendered({ interception: { ...INTERCEPTION, contentMode: 'redacted' }, ended: ENDED, tokenUsages: [], prompts: [], tools: [], thoughts: [] }))
    .toContain('Content storedredacted (e-mail addresses and key-looking strings masked)');
  // Rows from before recordContent, or a bridge without it: everything was kept.
  expect(rendered({ interception: INTERCEPTION, ended: ENDED, tokenUsages: [], prompts: [{ prompt: 'hello' }], tools: [], thoughts: [] }))
    .toContain('Content storedfull (as sent; no recordContent)');
});
