// Extracts the TypeScript, JavaScript and marked shell code blocks of Markdown files into a directory, for .ci/pack-check.
//
// Every ```ts / ```js block is a snippet:
//   <!-- snippet: name.ext -->          names it (a .mjs/.js/.sh snippet is run against the example app);
//   <!-- snippet: fragment: reason -->  leaves a deliberately partial block unchecked, and says why;
//   no marker                           a TypeScript block is type-checked as `<page>-<n>.ts` (its n-th block);
//                                       a JavaScript block must be named or marked a fragment.
// Other blocks (sh, json, toml, …) are snippets only when named.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->\s*$/;
const FRAGMENT = /^fragment\s*:\s*(\S.*)$/;
const FENCE_OPEN = /^(`{3,})\s*([\w-]*)\s*$/;
// Names become file names in the output directory: no separators, no dot-files, a known extension.
const SAFE_NAME = /^[a-z0-9][a-z0-9-]*\.(ts|mjs|cjs|js|sh)$/;
const TYPESCRIPT = new Set(['ts', 'typescript', 'tsx']);
const JAVASCRIPT = new Set(['js', 'javascript', 'mjs', 'cjs', 'jsx']);

/** The fenced block opening at `open` (after blank lines): `{ lang, fence, close }`, or null when none opens there. */
function blockAt(lines, start) {
  let open = start;
  while (open < lines.length && lines[open].trim() === '') open += 1;
  const fence = FENCE_OPEN.exec(lines[open] || '');
  if (!fence) return null;
  const close = lines.findIndex((l, j) => j > open && l.trim() === fence[1]);
  return { open, close, fence: fence[1], lang: fence[2].toLowerCase() };
}

/**
 * The snippets of one Markdown text, as `[{ name, code, line }]`, and the fragments it marks, as `[{ reason, line }]`.
 * `source` names the text in errors; `page` prefixes the names of unmarked TypeScript blocks. Throws on a marker
 * without a block, a bad name, a fragment without a reason, or an unmarked JavaScript block.
 */
function snippetsOf(markdown, source, page = path.basename(source, path.extname(source)).toLowerCase()) {
  const lines = markdown.split(/\r?\n/);
  const snippets = [];
  const fragments = [];
  let typescriptBlocks = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const where = `${source}:${i + 1}`;
    const marker = MARKER.exec(lines[i]);
    if (marker) {
      const block = blockAt(lines, i + 1);
      if (!block) throw new Error(`${where}: snippet marker "${marker[1]}" is not followed by a fenced code block`);
      if (block.close < 0) throw new Error(`${where}: the code block of snippet "${marker[1]}" is never closed`);
      if (TYPESCRIPT.has(block.lang)) typescriptBlocks += 1;
      if (/^fragment\b/.test(marker[1])) {
        const fragment = FRAGMENT.exec(marker[1]);
        if (!fragment) throw new Error(`${where}: a fragment says why it is partial: <!-- snippet: fragment: reason -->`);
        fragments.push({ reason: fragment[1], line: i + 1 });
      } else {
        if (!SAFE_NAME.test(marker[1])) throw new Error(`${where}: snippet name "${marker[1]}" must match ${SAFE_NAME}`);
        snippets.push({ name: marker[1], code: `${lines.slice(block.open + 1, block.close).join('\n')}\n`, line: i + 1 });
      }
      i = block.close;
      continue;
    }
    const fence = FENCE_OPEN.exec(lines[i]);
    if (!fence) continue;
    const block = blockAt(lines, i);
    if (block.close < 0) throw new Error(`${where}: this code block is never closed`);
    if (TYPESCRIPT.has(block.lang)) {
      typescriptBlocks += 1;
      snippets.push({ name: `${page}-${typescriptBlocks}.ts`, code: `${lines.slice(i + 1, block.close).join('\n')}\n`, line: i + 1 });
    } else if (JAVASCRIPT.has(block.lang)) {
      throw new Error(`${where}: a JavaScript block is run: name it (<!-- snippet: name.mjs -->) or mark it <!-- snippet: fragment: reason -->`);
    }
    i = block.close;
  }
  return { snippets, fragments };
}

function main([outDir, ...files]) {
  if (!outDir || files.length === 0) throw new Error('usage: readme-snippets.js <out-dir> <file.md>...');
  fs.mkdirSync(outDir, { recursive: true });
  const seen = new Map();
  for (const file of files) {
    const { snippets, fragments } = snippetsOf(fs.readFileSync(file, 'utf8'), file);
    for (const snippet of snippets) {
      if (seen.has(snippet.name)) throw new Error(`${file}:${snippet.line}: snippet "${snippet.name}" is also defined at ${seen.get(snippet.name)}`);
      seen.set(snippet.name, `${file}:${snippet.line}`);
      fs.writeFileSync(path.join(outDir, snippet.name), snippet.code);
      console.log(snippet.name);
    }
    for (const { reason, line } of fragments) console.error(`readme-snippets: ${file}:${line}: not checked, a fragment: ${reason}`);
  }
}

module.exports = { snippetsOf };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`readme-snippets: ${err.message}`);
    process.exit(1);
  }
}
