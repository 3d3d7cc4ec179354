// startFakeUpstream options: the defaults in one place, checked once when the fake starts.
'use strict';

const DEFAULTS = {
  keys: undefined,
  rateLimitedKeys: [],
  retryAfterSeconds: 3600,
  chunkDelayMs: 0,
  port: 0,
  echo: false,
  recordRequests: true,
  maxBodyBytes: 32 * 1024 * 1024,
  behaviour: undefined,
  toolCalls: [],
};

const TOOL_CALL_KEYS = ['tool', 'when', 'arguments', 'quote'];

function fail(name, rule) {
  throw new TypeError(`startFakeUpstream: option \`${name}\` ${rule}`);
}

const isInt = (v, min, max = Number.MAX_SAFE_INTEGER) => Number.isInteger(v) && v >= min && v <= max;
const isKeyList = (v) => Array.isArray(v) && v.every((k) => typeof k === 'string' && k !== '');

const isPlainObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegExp);

/** One `toolCalls` entry checked and copied, with its defaults (`arguments: {}`, `quote: true`). */
function toolCall(entry, i) {
  const name = `toolCalls[${i}]`;
  if (!isPlainObject(entry)) fail(name, 'must be an object: { tool, when?, arguments?, quote? }.');
  for (const key of Object.keys(entry)) if (!TOOL_CALL_KEYS.includes(key)) fail(`${name}.${key}`, `is not known (known: ${TOOL_CALL_KEYS.join(', ')}).`);
  const { tool, when, arguments: args = {}, quote = true } = entry;
  if (!(typeof tool === 'string' && tool !== '') && !(tool instanceof RegExp)) fail(`${name}.tool`, 'must be a tool name as the model sees it (e.g. "bmcp_docs_search") or a RegExp.');
  if (when !== undefined && !(when instanceof RegExp)) fail(`${name}.when`, 'must be a RegExp tested against the last user message.');
  if (typeof args !== 'string' && typeof args !== 'function' && !isPlainObject(args)) fail(`${name}.arguments`, 'must be an object, JSON text, or a function of the last user message.');
  if (typeof quote !== 'boolean') fail(`${name}.quote`, 'must be a boolean.');
  return { tool, when, arguments: args, quote };
}

/** Validated options with defaults filled in; throws a TypeError naming the bad option. */
function resolveOptions(options = {}) {
  if (!options || typeof options !== 'object') fail('options', 'must be an object.');
  const known = Object.keys(DEFAULTS);
  for (const name of Object.keys(options)) if (!known.includes(name)) fail(name, 'is not a known option.');
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (o.keys !== undefined && (!isKeyList(o.keys) || o.keys.length === 0)) fail('keys', 'must be a non-empty array of non-empty strings.');
  if (!isKeyList(o.rateLimitedKeys)) fail('rateLimitedKeys', 'must be an array of non-empty strings.');
  if (!isInt(o.retryAfterSeconds, 0)) fail('retryAfterSeconds', 'must be an integer ≥ 0.');
  if (!isInt(o.chunkDelayMs, 0, 60_000)) fail('chunkDelayMs', 'must be an integer from 0 to 60000.');
  if (!isInt(o.port, 0, 65535)) fail('port', 'must be an integer from 0 to 65535.');
  if (typeof o.echo !== 'boolean') fail('echo', 'must be a boolean.');
  if (typeof o.recordRequests !== 'boolean') fail('recordRequests', 'must be a boolean.');
  if (!isInt(o.maxBodyBytes, 1)) fail('maxBodyBytes', 'must be a positive integer.');
  if (o.behaviour !== undefined && typeof o.behaviour !== 'function') fail('behaviour', 'must be a function.');
  if (!Array.isArray(o.toolCalls)) fail('toolCalls', 'must be an array of { tool, when?, arguments?, quote? }.');
  return { ...o, keys: o.keys && new Set(o.keys), rateLimitedKeys: new Set(o.rateLimitedKeys), toolCalls: o.toolCalls.map(toolCall) };
}

module.exports = { resolveOptions, FAKE_DEFAULTS: DEFAULTS };
