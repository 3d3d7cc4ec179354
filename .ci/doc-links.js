// Checks the repository's Markdown: every relative link and image must name an existing file, every `#anchor` a heading of
// its target, every path in backticks that names a source file or folder (`lib/…`, `pipeline/relay/relay.ts`, `ownership/`) must exist,
// and README.md must link every page of docs/.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/;
const HTML_ANCHOR = /<a\s+(?:id|name)="([^"]+)"/g;
// A code span that reads as a relative path: no spaces, no scheme, no leading slash (URL paths such as `/v1/models`).
const PATH_SPAN = /^[\w@.-]+(?:\/[\w@.*-]+)*\/?$/;
// A scheme (`https:`, `mailto:`) or a protocol-relative URL: not a file of this repository.
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/** GitHub's heading anchor (github-slugger): lower-cased, punctuation and symbols removed, spaces to `-`. */
function slugOf(headingText) {
  const text = headingText
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image shows its text
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .replace(/\*/g, '');
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Each line outside fenced code blocks, with inline code spans blanked (a link inside backticks is text). */
function proseLines(markdown) {
  const out = [];
  let fence = null;
  markdown.split(/\r?\n/).forEach((line, i) => {
    const open = FENCE.exec(line);
    if (fence) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && line.trim() === open[1]) fence = null;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    out.push({ number: i + 1, raw: line, text: line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)) });
  });
  return out;
}

/** The anchors a Markdown text defines: its headings' slugs (repeats numbered `-1`, `-2`, as GitHub does) and `<a id>`. */
function anchorsOf(markdown) {
  const anchors = new Set();
  const seen = new Map();
  for (const { raw, text } of proseLines(markdown)) {
    for (const match of text.matchAll(HTML_ANCHOR)) anchors.add(match[1]);
    // The slug is made of the heading's own text, code spans included.
    const heading = HEADING.exec(raw);
    if (!heading) continue;
    const base = slugOf(heading[2]);
    const count = seen.get(base) || 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The relative link targets of a Markdown text, as `[{ target, line }]` (external URLs left out). */
function linksOf(markdown) {
  const links = [];
  for (const { number, text } of proseLines(markdown)) {
    const found = [...text.matchAll(INLINE_LINK)].map((m) => m[1]);
    const definition = REFERENCE_DEFINITION.exec(text);
    if (definition) found.push(definition[1]);
    for (const target of found) if (!EXTERNAL.test(target)) links.push({ target, line: number });
  }
  return links;
}

/**
 * The code spans of a Markdown text's prose that name a source path, as `[{ path, line }]`: anything under `lib/`, a
 * TypeScript file in a folder (`pipeline/admit.ts`, short for `lib/pipeline/admit.ts`), or a folder (`ownership/`).
 * Package names (`express-aibridge/testing`), URLs and URL paths are left alone.
 */
function codePathsOf(markdown) {
  const paths = [];
  for (const { number, raw } of proseLines(markdown)) {
    for (const match of raw.matchAll(/(`+)([^`]*?)\1/g)) {
      const span = match[2].trim();
      if (!PATH_SPAN.test(span)) continue;
      const sourceFile = span.includes('/') && span.endsWith('.ts');
      const folder = /^[\w@.-]+\/$/.test(span);
      if (span.startsWith('lib/') || sourceFile || folder) paths.push({ path: span, line: number });
    }
  }
  return paths;
}

/** Whether `relative` (whose last segment may hold `*`) names an existing file or folder under `base`. */
function existsUnder(base, relative) {
  const resolved = path.resolve(base, relative);
  const last = path.basename(resolved);
  if (!last.includes('*')) return fs.existsSync(resolved);
  const pattern = new RegExp(`^${last.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const dir = path.dirname(resolved);
  return fs.existsSync(dir) && fs.readdirSync(dir).some((name) => pattern.test(name));
}

/** The root .gitignore's plain entries (`dist/`, `node_modules`): folders a build makes, which a doc may name. */
function ignoredNames(root) {
  const file = path.join(root, '.gitignore');
  if (!fs.existsSync(file)) return new Set();
  return new Set(fs.readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim().replace(/\/$/, '')).filter(Boolean));
}

/** Problems of the code-span paths of one Markdown file (relative to root), as `file:line: message` strings. */
function checkCodePaths(root, file, markdown, ignored) {
  const problems = [];
  const paths = codePathsOf(markdown);
  for (const { path: span, line } of paths) {
    if (span.startsWith('lib/')) {
      if (!existsUnder(root, span)) problems.push(`${file}:${line}: path \`${span}\` does not exist`);
      continue;
    }
    const beside = path.dirname(path.resolve(root, file));
    if ([root, path.join(root, 'lib'), beside].some((base) => existsUnder(base, span))) continue;
    if (span.endsWith('/') && ignored.has(span.slice(0, -1))) continue;
    problems.push(`${file}:${line}: path \`${span}\` does not exist (looked in ., lib/ and beside ${file})`);
  }
  return { problems, count: paths.length };
}

/** Problems of the given Markdown files (paths relative to root), as `file:line: message` strings. */
function check(root, files) {
  const problems = [];
  const anchorCache = new Map();
  const anchorsAt = (file) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8')));
    return anchorCache.get(file);
  };
  let count = 0;
  let paths = 0;
  const ignored = ignoredNames(root);
  for (const file of files) {
    const absolute = path.resolve(root, file);
    const markdown = fs.readFileSync(absolute, 'utf8');
    const codePaths = checkCodePaths(root, file, markdown, ignored);
    paths += codePaths.count;
    for (const { target, line } of linksOf(markdown)) {
      count += 1;
      const where = `${file}:${line}: link "${target}"`;
      const hash = target.indexOf('#');
      const filePart = hash < 0 ? target : target.slice(0, hash);
      const anchor = hash < 0 ? null : target.slice(hash + 1);
      let decoded;
      try {
        decoded = decodeURIComponent(filePart);
      } catch {
        problems.push(`${where}: not a valid URL path`);
        continue;
      }
      const resolved = filePart === '' ? absolute
        : decoded.startsWith('/') ? path.join(root, decoded) : path.resolve(path.dirname(absolute), decoded);
      const inside = path.relative(root, resolved);
      if (inside.startsWith('..') || path.isAbsolute(inside)) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!fs.existsSync(resolved)) {
        problems.push(`${where}: ${inside} does not exist`);
        continue;
      }
      if (anchor === null) continue;
      if (!/\.md$/i.test(resolved) || !fs.statSync(resolved).isFile()) {
        problems.push(`${where}: an anchor into ${inside}, which is not a Markdown file`);
        continue;
      }
      if (!anchorsAt(resolved).has(decodeURIComponent(anchor))) {
        problems.push(`${where}: ${inside} has no heading with the anchor #${anchor}`);
      }
    }
    problems.push(...codePaths.problems);
  }
  return { problems, count, paths };
}

/** The pages of docs/ that README.md does not link to (its map must name each), as `README.md: …` problems. */
function mapProblems(root) {
  const readme = path.join(root, 'README.md');
  const docs = path.join(root, 'docs');
  if (!fs.existsSync(readme) || !fs.existsSync(docs)) return [];
  const linked = new Set(linksOf(fs.readFileSync(readme, 'utf8')).map(({ target }) => path.resolve(root, target.split('#')[0])));
  return fs.readdirSync(docs).filter((name) => name.endsWith('.md')).sort()
    .filter((name) => !linked.has(path.join(docs, name)))
    .map((name) => `README.md: the map does not link docs/${name}`);
}

/** Markdown files tracked or added (not ignored), relative to root. */
function markdownFiles(root) {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', '*.md'], { cwd: root, encoding: 'utf8' });
  return listed.split('\n').filter((f) => f && fs.existsSync(path.join(root, f)));
}

function main() {
  const root = path.resolve(__dirname, '..');
  const files = markdownFiles(root);
  const { problems, count, paths } = check(root, files);
  problems.push(...mapProblems(root));
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    console.error(`doc-links: ${problems.length} broken link(s) or path(s) in ${files.length} Markdown files`);
    process.exit(1);
  }
  console.log(`doc-links: ${count} relative links and ${paths} paths in backticks in ${files.length} Markdown files resolve`);
}

module.exports = { slugOf, anchorsOf, linksOf, codePathsOf, check, mapProblems };

if (require.main === module) main();
