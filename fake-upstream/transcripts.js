// Loads the recorded-style answers under transcripts/<api>/: `.http` files (status line, headers, body) and `.txt` templates.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, 'transcripts');
const cache = new Map();

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
  const dir = path.join(ROOT, api);
  for (const file of fs.readdirSync(dir).sort()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n');
    const name = file.replace(/\.[^.]+$/, '');
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

module.exports = { loadTranscripts, parseHttp, eventData };
