// Extracts the code blocks marked `<!-- snippet: name.ext -->` from Markdown files into a directory, for .ci/pack-check.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MARKER = /^<!--\s*snippet:\s*(\S+)\s*-->\s*$/;
const FENCE_OPEN = /^(`{3,})[\w-]*\s*$/;
// Names become file names in the output directory: no separators, no dot-files, a known extension.
const SAFE_NAME = /^[a-z0-9][a-z0-9-]*\.(ts|mjs|cjs|js|sh)$/;

/** The marked snippets of one Markdown text, as `[{ name, code, line }]`; throws on a marker without a block. */
function snippetsOf(markdown, source) {
  const lines = markdown.split(/\r?\n/);
  const found = [];
  for (let i = 0; i < lines.length; i += 1) {
    const marker = MARKER.exec(lines[i]);
    if (!marker) continue;
    const name = marker[1];
    const where = `${source}:${i + 1}`;
    if (!SAFE_NAME.test(name)) throw new Error(`${where}: snippet name "${name}" must match ${SAFE_NAME}`);
    let open = i + 1;
    while (open < lines.length && lines[open].trim() === '') open += 1;
    const fence = FENCE_OPEN.exec(lines[open] || '');
    if (!fence) throw new Error(`${where}: snippet "${name}" is not followed by a fenced code block`);
    const close = lines.findIndex((l, j) => j > open && l.trim() === fence[1]);
    if (close < 0) throw new Error(`${where}: the code block of snippet "${name}" is never closed`);
    found.push({ name, code: `${lines.slice(open + 1, close).join('\n')}\n`, line: i + 1 });
    i = close;
  }
  return found;
}

function main([outDir, ...files]) {
  if (!outDir || files.length === 0) throw new Error('usage: readme-snippets.js <out-dir> <file.md>...');
  fs.mkdirSync(outDir, { recursive: true });
  const seen = new Map();
  for (const file of files) {
    for (const snippet of snippetsOf(fs.readFileSync(file, 'utf8'), file)) {
      if (seen.has(snippet.name)) throw new Error(`${file}:${snippet.line}: snippet "${snippet.name}" is also defined at ${seen.get(snippet.name)}`);
      seen.set(snippet.name, `${file}:${snippet.line}`);
      fs.writeFileSync(path.join(outDir, snippet.name), snippet.code);
      console.log(snippet.name);
    }
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(`readme-snippets: ${err.message}`);
  process.exit(1);
}
