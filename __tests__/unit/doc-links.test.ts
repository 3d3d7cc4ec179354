// .ci/doc-links: GitHub's heading anchors, and the broken relative links and anchors it must report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Checker = {
  slugOf(text: string): string;
  anchorsOf(markdown: string): Set<string>;
  check(root: string, files: string[]): { problems: string[]; count: number; paths: number };
  codePathsOf(markdown: string): { path: string; line: number }[];
  mapProblems(root: string): string[];
};
const { slugOf, anchorsOf, check, codePathsOf, mapProblems } = require('../../.ci/doc-links.js') as Checker;

describe('slugOf', () => {
  it.each([
    ['Shutdown: `close()`', 'shutdown-close'],
    ["The tool loop's promises", 'the-tool-loops-promises'],
    ['Dashboard: `createDashboard({ query, bridge? })`', 'dashboard-createdashboard-query-bridge-'],
    ['Key pools, BYOK and shared key state', 'key-pools-byok-and-shared-key-state'],
    ['`openaiProvider(options)`', 'openaiprovideroptions'],
    ['Set-up on a fresh machine', 'set-up-on-a-fresh-machine'],
    ['snake_case stays', 'snake_case-stays'],
  ])('%s → %s', (heading, slug) => {
    expect(slugOf(heading)).toBe(slug);
  });
});

describe('anchorsOf', () => {
  it('numbers repeated headings and ignores headings inside fenced code', () => {
    const anchors = anchorsOf(['## Injected tools', '```sh', '# not a heading', '```', '### Injected tools', '<a id="kept"></a>'].join('\n'));
    expect([...anchors].sort()).toEqual(['injected-tools', 'injected-tools-1', 'kept']);
  });
});

describe('check', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-links-'));
    fs.mkdirSync(path.join(root, 'docs'));
    fs.writeFileSync(path.join(root, 'docs', 'topic.md'), '# Topic\n\n## Shutdown: `close()`\n\nBack to [the start](../README.md#start).\n');
    fs.writeFileSync(path.join(root, 'docs', 'image.png'), '');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const readme = (body: string) => fs.writeFileSync(path.join(root, 'README.md'), `# Start\n\n${body}\n`);

  it('accepts links to existing files, images, directories and anchors, and leaves URLs and code alone', () => {
    readme([
      'See [shutdown](docs/topic.md#shutdown-close), ![shot](docs/image.png), [docs](docs/), [here](#start).',
      '[web](https://example.com/missing.md#nowhere) and `[code](missing.md)`',
      '```md',
      '[in a block](missing.md)',
      '```',
    ].join('\n'));
    const result = check(root, ['README.md', 'docs/topic.md']);
    expect(result.problems).toEqual([]);
    expect(result.count).toBe(5);
  });

  it('reports a missing file, a missing anchor and an anchor into a file that is not Markdown', () => {
    readme('[a](docs/gone.md) [b](docs/topic.md#shutdown) [c](#nope) [d](docs/image.png#x)');
    const { problems } = check(root, ['README.md']);
    expect(problems).toEqual([
      'README.md:3: link "docs/gone.md": docs/gone.md does not exist',
      'README.md:3: link "docs/topic.md#shutdown": docs/topic.md has no heading with the anchor #shutdown',
      'README.md:3: link "#nope": README.md has no heading with the anchor #nope',
      'README.md:3: link "docs/image.png#x": an anchor into docs/image.png, which is not a Markdown file',
    ]);
  });

  it('reports a link that leaves the repository', () => {
    readme('[up](../elsewhere.md)');
    expect(check(root, ['README.md']).problems).toEqual(['README.md:3: link "../elsewhere.md": points outside the repository']);
  });

  describe('paths in backticks', () => {
    beforeEach(() => {
      fs.mkdirSync(path.join(root, 'lib', 'pipeline', 'relay'), { recursive: true });
      fs.writeFileSync(path.join(root, 'lib', 'pipeline', 'relay', 'relay.ts'), '');
      fs.writeFileSync(path.join(root, 'lib', 'pipeline', 'relay', 'relay-stream.ts'), '');
      fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules\ndist/\n');
    });

    it('accepts lib/ paths, short .ts paths under lib/, folders, globs, ignored folders, and leaves URLs and package names alone', () => {
      readme([
        '`lib/pipeline/relay/relay.ts` `lib/pipeline/` `lib/pipeline/relay/relay-*.ts` `pipeline/relay/relay.ts`',
        '`pipeline/` `docs/` `dist/` `express-aibridge/testing` `https://example.com/lib/x.ts` `/v1/models` `a b/c.ts`',
        '```',
        '`lib/not-checked-in-a-block.ts`',
        '```',
      ].join('\n'));
      const result = check(root, ['README.md']);
      expect(result.problems).toEqual([]);
      expect(result.paths).toBe(7);
    });

    it('reports lib/ paths, short .ts paths and folders that do not exist, as a moved file leaves them', () => {
      readme('`lib/intercept/respond.ts` and `intercept/relay-stream.ts`, `upstream/`, `lib/pipeline/relay/gone-*.ts`');
      expect(check(root, ['README.md']).problems).toEqual([
        'README.md:3: path `lib/intercept/respond.ts` does not exist',
        'README.md:3: path `intercept/relay-stream.ts` does not exist (looked in ., lib/ and beside README.md)',
        'README.md:3: path `upstream/` does not exist (looked in ., lib/ and beside README.md)',
        'README.md:3: path `lib/pipeline/relay/gone-*.ts` does not exist',
      ]);
    });

    it('reads the spans of prose only, with their line', () => {
      expect(codePathsOf('a `lib/x.ts`\n```\n`lib/y.ts`\n```\n`tools/z.ts` `README.md` `sh run.sh`')).toEqual([
        { path: 'lib/x.ts', line: 1 },
        { path: 'tools/z.ts', line: 5 },
      ]);
    });
  });

  it("reports a page of docs/ that the README's map does not link", () => {
    fs.writeFileSync(path.join(root, 'docs', 'other.md'), '# Other\n');
    readme('| page |\n|---|\n| [Topic](docs/topic.md#shutdown-close) |');
    expect(mapProblems(root)).toEqual(['README.md: the map does not link docs/other.md']);
    readme('[Topic](docs/topic.md) [Other](./docs/other.md)');
    expect(mapProblems(root)).toEqual([]);
  });
});
