// Model name patterns of the `routes` option: exact names and `*` globs, matched in one scan.
import { compileModelPattern } from '../../lib/pipeline/model-routes/model-pattern';

describe('compileModelPattern', () => {
  it.each([
    ['gpt-4o', 'gpt-4o', true], ['gpt-4o', 'gpt-4o-mini', false], ['gpt-4o', 'GPT-4o', false],
    ['claude-*', 'claude-sonnet-4-5', true], ['claude-*', 'claude-', true], ['claude-*', 'anthropic.claude-3', false],
    ['*-mini', 'gpt-4o-mini', true], ['*-mini', 'gpt-4o-mini-2', false],
    ['*', '', true], ['*', 'anything', true],
    ['gpt-*-mini', 'gpt-4o-mini', true], ['gpt-*-mini', 'gpt--mini', true], ['gpt-*-mini', 'gpt-mini', false],
    ['a*b*c', 'abc', true], ['a*b*c', 'axxbyyc', true], ['a*b*c', 'acb', false], ['a*b*c', 'abcb', false],
    ['*.claude-*', 'us.anthropic.claude-3', true], ['*.claude-*', 'claude-3', false], ['*.claude-*', 'anthropic.claude-3', true],
    ['a**b', 'ab', true], ['ab*ba', 'aba', false],
  ])('%s matches %s: %s', (pattern, model, expected) => {
    expect(compileModelPattern(pattern)(model)).toBe(expected);
  });

  it('takes time in proportion to a long hostile name, never backtracking', () => {
    const matches = compileModelPattern('a*a*a*a*a*a*a*a*b');
    const model = 'a'.repeat(1_000_000);
    const started = Date.now();
    expect(matches(model)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
