// Keys never reach a record (so never the dashboard): every hostile shape, tool errors, arguments and prompts.
import { maskKey } from '../../lib';
import { chatScript } from '../helpers/chat-script';
import { responsesScript } from '../helpers/responses-script';
import { anthropicScript } from '../helpers/anthropic-script';
import { eventually } from '../helpers/gateway';
import { leakedSecrets } from '../helpers/keyed-upstream';
import {
  ANTHROPIC_KEY, CLIENT_KEY, LEAKY_TOOL, OPENAI_KEY, SECRETS, answerWith, redactionSuite, scenarios, send,
} from '../helpers/redaction-scenarios';

const suite = redactionSuite();

async function stored(): Promise<string> {
  await eventually(() => expect(suite.gw.recorder.interceptionEnds.length + suite.gw.recorder.passthroughs.length).toBeGreaterThan(0));
  await new Promise((r) => setTimeout(r, 20)); // the rest of the interception's records
  return JSON.stringify(suite.gw.recorder);
}

test.each(scenarios().map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
  answerWith(suite.upstream, scenario.answer);
  await (await send(suite.gw.url, scenario)).text();
  expect(leakedSecrets(await stored(), SECRETS)).toEqual([]);
  if (scenario.recordHint) expect(suite.gw.recorder.interceptionEnds[0].errorMessage).toContain(maskKey(scenario.key));
});

const leakyCall = { id: 'call_v', name: LEAKY_TOOL.name, arguments: `{"token":"${ANTHROPIC_KEY}"}` };
const TOOL_TURNS = [
  { api: 'chat', path: '/openai/v1/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'read it' }] }, script: () => chatScript([{ toolCalls: [leakyCall] }, { text: 'Done.' }]) },
  { api: 'responses', path: '/openai/v1/responses', body: { model: 'gpt-4o', input: 'read it' }, script: () => responsesScript([{ toolCalls: [leakyCall] }, { text: 'Done.' }]) },
  {
    api: 'messages', path: '/anthropic/v1/messages', body: { model: 'claude', max_tokens: 64, messages: [{ role: 'user', content: 'read it' }] },
    script: () => anthropicScript([{ toolCalls: [{ id: 'toolu_v', name: LEAKY_TOOL.name, input: `{"token":"${ANTHROPIC_KEY}"}` }] }, { text: 'Done.' }]),
  },
];

describe.each(TOOL_TURNS)('an MCP tool error quoting pool keys ($api)', ({ path, body, script }) => {
  test.each([false, true])('streamed %s: invocationError, args and the tool result sent to the model carry hints only', async (stream) => {
    const behaviour = script();
    suite.upstream.behaviour = behaviour;
    const res = await send(suite.gw.url, { path, method: 'POST', body: { ...body, stream }, headers: { 'anthropic-version': '2023-06-01' } } as never);
    expect(res.status).toBe(200);
    await res.text();
    await eventually(() => expect(suite.gw.recorder.toolUsages).toHaveLength(1));
    const usage = suite.gw.recorder.toolUsages[0];
    expect(usage.invocationError).toBe(`denied: ${maskKey(OPENAI_KEY)} and ${maskKey(ANTHROPIC_KEY)} lack vault access`);
    expect(JSON.stringify(usage.args)).toContain(maskKey(ANTHROPIC_KEY));
    expect(leakedSecrets(await stored(), SECRETS)).toEqual([]);
    const toModel = behaviour.calls[1].body;
    expect(leakedSecrets(toModel.replace(ANTHROPIC_KEY, ''), SECRETS)).toEqual([]); // the model's own arguments go back as it wrote them
    expect(toModel).toContain(maskKey(OPENAI_KEY));
  });
});

test('a BYOK client key in the prompt is recorded as its hint', async () => {
  suite.upstream.behaviour = chatScript([{ text: 'ok' }]);
  await (await send(suite.gw.url, { path: '/byok/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${CLIENT_KEY}` },
    body: { model: 'gpt-4o-plain', messages: [{ role: 'user', content: `my key is ${CLIENT_KEY}` }] } } as never)).text();
  await eventually(() => expect(suite.gw.recorder.promptUsages).toHaveLength(1));
  expect(suite.gw.recorder.promptUsages[0].prompt).toBe(`my key is ${maskKey(CLIENT_KEY)}`);
  expect(leakedSecrets(await stored(), SECRETS)).toEqual([]);
});
