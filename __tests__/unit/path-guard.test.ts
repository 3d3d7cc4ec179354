import { isUnsafePath } from '../../lib/path-guard';

test.each(['/openai/v1/../x', '/openai/v1/..', '/openai/./v1', '/a/%2e%2e/b', '/a/%2E/b', '/a%2fb', '/a%5cb', '/a\\b', '..'])('%s is unsafe', (p) => {
  expect(isUnsafePath(p)).toBe(true);
});

test.each(['/openai/v1/models', '/openai/v1/models/gpt-3.5-turbo', '/openai/v1/models/ft:gpt-4o:org:x', '/a/...b', '/a/b..'])('%s is fine', (p) => {
  expect(isUnsafePath(p)).toBe(false);
});
