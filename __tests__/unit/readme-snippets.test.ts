// .ci/readme-snippets.js: which code blocks of a Markdown page .ci/pack-check checks, and under which names.
type Extractor = {
  snippetsOf(markdown: string, source: string): {
    snippets: { name: string; code: string; line: number }[];
    fragments: { reason: string; line: number }[];
  };
};
const { snippetsOf } = require('../../.ci/readme-snippets.js') as Extractor;

const page = (...lines: string[]) => lines.join('\n');

describe('snippetsOf', () => {
  it('takes every TypeScript block, named by its marker or by its page and place, and named blocks of other languages', () => {
    const { snippets, fragments } = snippetsOf(page(
      '# Page',
      '<!-- snippet: start.ts -->',
      '```ts',
      'const a = 1;',
      '```',
      '```typescript',
      'const b = 2;',
      '```',
      '<!-- snippet: try.sh -->',
      '',
      '```sh',
      'curl x',
      '```',
      '```sh',
      'npm test',
      '```',
      '```json',
      '{}',
      '```',
      '```ts',
      'const c = 3;',
      '```',
    ), 'docs/Topic.md');
    expect(snippets).toEqual([
      { name: 'start.ts', code: 'const a = 1;\n', line: 2 },
      { name: 'topic-2.ts', code: 'const b = 2;\n', line: 6 },
      { name: 'try.sh', code: 'curl x\n', line: 9 },
      { name: 'topic-3.ts', code: 'const c = 3;\n', line: 20 },
    ]);
    expect(fragments).toEqual([]);
  });

  it('leaves a block marked as a fragment unchecked, with its reason', () => {
    const { snippets, fragments } = snippetsOf(page(
      '<!-- snippet: fragment: the options of the call above -->',
      '```ts',
      '{ maxIterations: 5 }',
      '```',
      '<!-- snippet: fragment: a browser script -->',
      '```js',
      'document.title',
      '```',
    ), 'docs/x.md');
    expect(snippets).toEqual([]);
    expect(fragments).toEqual([{ reason: 'the options of the call above', line: 1 }, { reason: 'a browser script', line: 5 }]);
  });

  it.each([
    ['an unmarked JavaScript block', page('```js', 'x()', '```'), 'docs/x.md:1: a JavaScript block is run: name it'],
    ['a fragment without a reason', page('<!-- snippet: fragment -->', '```ts', 'x', '```'), 'docs/x.md:1: a fragment says why'],
    ['a marker without a block', page('<!-- snippet: a.ts -->', 'text'), 'docs/x.md:1: snippet marker "a.ts" is not followed by a fenced code block'],
    ['an unsafe name', page('<!-- snippet: ../a.ts -->', '```ts', 'x', '```'), 'docs/x.md:1: snippet name "../a.ts" must match'],
    ['a block never closed', page('```ts', 'x'), 'docs/x.md:1: this code block is never closed'],
  ])('throws on %s', (_what, markdown, message) => {
    expect(() => snippetsOf(markdown, 'docs/x.md')).toThrow(message);
  });
});
