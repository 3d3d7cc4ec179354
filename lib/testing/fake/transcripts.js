// Loads the recorded-style answers under transcripts/<api>/: `.http` files (status line, headers, body), `.sse` event streams, `.txt` templates.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

// Beside this file: in lib/ (tests run the source) and in dist/, where `npm run build` copies them. A dist/ built
// by `tsc` alone, in this repository, has no copy: the sources' folder is then two levels up.
const ROOTS = [path.join(__dirname, 'transcripts'), path.join(__dirname, '..', '..', '..', 'lib', 'testing', 'fake', 'transcripts')];
let root;

function transcriptsRoot() {
  root ??= ROOTS.find((dir) => fs.existsSync(dir));
  if (!root) throw new Error(`fake-upstream: no transcripts folder (looked in ${ROOTS.join(', ')}); \`npm run build\` copies it into dist/.`);
  return root;
}
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8' };
const BLANK_LINE = Buffer.from('\n\n');
const cache = new Map();

/**
 * `bytes` cut after each blank line: the pieces, joined, are exactly `bytes` (odd frames, CRs and an unterminated
 * tail included), so replaying them event by event changes nothing a client could see but the timing.
 */
function splitEvents(bytes) {
  const events = [];
  let start = 0;
  for (let at = bytes.indexOf(BLANK_LINE); at >= 0; at = bytes.indexOf(BLANK_LINE, start)) {
    events.push(bytes.subarray(start, at + 2));
    start = at + 2;
  }
  if (start < bytes.length) events.push(bytes.subarray(start));
  return events;
}

/** An `.sse` transcript: an event stream kept byte for byte (no header block; a 200 with an event-stream type). */
function parseSse(bytes) {
  return { status: 200, headers: { ...SSE_HEADERS }, body: bytes, events: splitEvents(bytes) };
}

/**
 * Parses one `.http` transcript: `HTTP/1.1 <status> <reason>`, `name: value` header lines, a blank line, the body.
 * An SSE body is also split into its events (each with its `\n\n`), so a stream can be written event by event.
 */
function parseHttp(text, file) {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new Error(`fake-upstream: ${file} has no blank line between headers and body.`);
  const [statusLine, ...headerLines] = text.slice(0, split).split('\n');
  const status = /^HTTP\/1\.1 (\d{3})\b/.exec(statusLine);
  if (!status) throw new Error(`fake-upstream: ${file} does not start with an HTTP/1.1 status line.`);
  /** @type {Record<string, string>} */
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`fake-upstream: ${file}: "${line}" is not a header line.`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = text.slice(split + 2);
  const isSse = /^text\/event-stream/.test(headers['content-type'] || '');
  if (!isSse) {
    const body = Buffer.from(raw.replace(/\n+$/, ''));
    return { status: Number(status[1]), headers: { ...headers, 'content-length': String(body.length) }, body, events: undefined };
  }
  const events = raw.split('\n\n').filter((e) => e.trim() !== '').map((e) => Buffer.from(`${e.replace(/\n+$/, '')}\n\n`));
  return { status: Number(status[1]), headers, body: Buffer.concat(events), events };
}

/** Every transcript of `api` (a folder under transcripts/), by file name without extension; read once, then shared. */
function loadTranscripts(api) {
  let loaded = cache.get(api);
  if (loaded) return loaded;
  loaded = {};
  const dir = path.join(transcriptsRoot(), api);
  for (const file of fs.readdirSync(dir).sort()) {
    const name = file.replace(/\.[^.]+$/, '');
    if (file.endsWith('.sse')) {
      loaded[name] = parseSse(fs.readFileSync(path.join(dir, file)));
      continue;
    }
    const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n');
    if (file.endsWith('.http')) loaded[name] = parseHttp(text, `${api}/${file}`);
    else if (file.endsWith('.txt')) loaded[name] = text.trim();
  }
  cache.set(api, loaded);
  return loaded;
}

/** The `data:` payloads of an SSE transcript, as strings (`[DONE]` included). */
function eventData(transcript) {
  return transcript.events.map((e) => e.toString('utf8').split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'));
}

module.exports = { loadTranscripts, parseHttp, eventData, splitEvents };
