// Keys never reach a log line: the bridge's logger (the one tools get too) masks every message and string meta.
import { maskKey } from '../../lib';
import { leakedSecrets } from '../helpers/keyed-upstream';
import { ANTHROPIC_KEY, OPENAI_KEY, SECRETS, answerWith, escaped, injector, redactionSuite, scenarios, send } from '../helpers/redaction-scenarios';

const suite = redactionSuite();
const lines = () => suite.gw.logs.lines.join('\n');

beforeEach(() => {
  suite.gw.logs.lines.length = 0;
  injector.listFails = false;
});

test('every hostile shape leaves no key in the log', async () => {
  for (const scenario of scenarios()) {
    answerWith(suite.upstream, scenario.answer);
    await (await send(suite.gw.url, scenario)).text();
  }
  expect(leakedSecrets(lines(), SECRETS)).toEqual([]);
});

test('the logger handed to tools masks keys in the message, in string meta, nested meta and errors', () => {
  const logger = injector.logger!;
  logger.warn(`token ${OPENAI_KEY} refused`, { detail: `key=${ANTHROPIC_KEY}`, nested: { list: [OPENAI_KEY] }, err: new Error(`bad ${OPENAI_KEY}`) });
  logger.error(`escaped ${escaped(OPENAI_KEY)}`);
  logger.log('info', 'positional %s', OPENAI_KEY);
  const text = lines();
  expect(suite.gw.logs.lines).toHaveLength(3);
  expect(leakedSecrets(text, SECRETS)).toEqual([]);
  expect(text).toContain(`token ${maskKey(OPENAI_KEY)} refused`);
  expect(text).toContain(`key=${maskKey(ANTHROPIC_KEY)}`);
  expect(text).toContain(`escaped ${maskKey(OPENAI_KEY)}`);
});

test('a failing tool listing that quotes a pool key is logged with the hint', async () => {
  injector.listFails = true;
  answerWith(suite.upstream, () => (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","choices":[]}'));
  await (await send(suite.gw.url, { path: '/openai/v1/chat/completions', method: 'POST', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } } as never)).text();
  expect(lines()).toContain(`vault login with ${maskKey(OPENAI_KEY)} refused`);
  expect(leakedSecrets(lines(), SECRETS)).toEqual([]);
});
