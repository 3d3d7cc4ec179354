// What each level shows: prompts and tool arguments at debug only, the ended lines from info, nothing per request at the default warn.
import { blocking, failover, linesOf, logSuite, toolLoop } from '../helpers/log-scenarios';

describe('a logger at info', () => {
  const suite = logSuite('info');

  test('writes the ended lines, never a prompt or a tool argument', async () => {
    const ids = [await blocking(suite), await toolLoop(suite)];
    for (const id of ids) await linesOf(suite, id);
    const text = suite.lines().map((l) => JSON.stringify(l)).join('\n');
    expect(suite.lines().filter((l) => l.message === 'interception ended').map((l) => l.interceptionId)).toEqual(ids);
    expect(suite.lines().find((l) => l.interceptionId === ids[1] && l.message === 'interception ended')).toMatchObject({ injectedToolCalls: 1 });
    expect(text).not.toContain('unlock?');
    expect(text).not.toContain('20+22');
    expect(text).not.toContain('"a\\":20');
    expect(suite.lines().some((l) => l.level === 'debug')).toBe(false);
  });
});

describe('a logger at warn (the default level)', () => {
  const suite = logSuite('warn');

  test('writes nothing for a request that went well, and a failover\'s warning with the request\'s fields', async () => {
    await blocking(suite);
    const id = await failover(suite);
    // Requests end after their answer: give a late line the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = suite.lines().filter((l) => l.server === undefined);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: 'provider key cooling down', interceptionId: id, provider: 'failover', actorId: 'alice' })]);
  });
});
