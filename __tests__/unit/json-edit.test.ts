/** The JSON field scanner and byte-level editor: a table of awkward inputs, and properties over random objects. */
import fc from 'fast-check';
import { JsonEditError, setNestedField, setTopLevelField, topLevelFieldSpan } from '../../lib/json/json-edit';

const b = (s: string) => Buffer.from(s, 'utf8');
const set = (s: string, key: string, value: string) => setTopLevelField(b(s), key, value).toString('utf8');
const valueOf = (s: string, key: string) => {
  const span = topLevelFieldSpan(b(s), key);
  return span && b(s).subarray(span.valueStart, span.valueEnd).toString('utf8');
};

describe('topLevelFieldSpan', () => {
  test.each([
    ['{"a":1}', 'a', '1'],
    ['{"a":1,"b":"x"}', 'b', '"x"'],
    [' \n\t{ "a" : [1, {"b": 2}] , "b" : true }', 'a', '[1, {"b": 2}]'],
    ['{"x":{"a":1},"a":2}', 'a', '2'], // nested keys with the same name are not top-level
    ['{"a":1,"a":2,"a":{"z":3}}', 'a', '{"z":3}'], // JSON.parse keeps the last duplicate
    ['{"s":"a\\"b\\\\","a":"\\\\\\""}', 'a', '"\\\\\\""'], // escaped quotes and backslashes inside strings
    ['{"s":"}]{[,:\\"","a":null}', 'a', 'null'], // structure characters inside strings
    ['{"\\u0061":5}', 'a', '5'], // an escaped key names the same field
    ['{"é":"ü","👋":1e400}', '👋', '1e400'],
    ['{"a":-1.5e-3}', 'a', '-1.5e-3'],
    ['{"a":12345678901234567890}', 'a', '12345678901234567890'],
    ['\ufeff{"a":1}', 'a', '1'], // byte order mark
    ['{}', 'a', undefined],
    ['{"ab":1,"b":2}', 'a', undefined],
  ])('%s: %s → %s', (json, key, expected) => {
    expect(valueOf(json, key)).toBe(expected);
  });

  test('5,000 levels of nesting are walked without recursion', () => {
    const deep = '['.repeat(5000) + '"]"' + ']'.repeat(5000);
    expect(valueOf(`{"d":${deep},"a":1}`, 'a')).toBe('1');
    expect(valueOf(`{"d":${deep}}`, 'd')).toBe(deep);
  });

  test.each(['[1]', '"a"', '{"a":1', '{"a" 1}', '{"a":1 "b":2}', '{"a":"x}', '', '{"a":}'])('%p is not an object → JsonEditError', (json) => {
    expect(() => topLevelFieldSpan(b(json), 'a')).toThrow(JsonEditError);
  });
});

describe('setTopLevelField', () => {
  test.each([
    ['{"a":1}', 'b', '2', '{"b":2,"a":1}'],
    ['{}', 'b', '2', '{"b":2}'],
    ['{ }', 'b', '2', '{"b":2 }'],
    ['  {\n"a":1}', 'b', '2', '  {"b":2,\n"a":1}'],
    ['\ufeff{"a":1}', 'b', '2', '\ufeff{"b":2,"a":1}'],
    ['{"a":1,"b":{"c":[1,2]},"d":3}', 'b', 'null', '{"a":1,"b":null,"d":3}'],
    ['{"b":1,"b":2}', 'b', '3', '{"b":1,"b":3}'],
    ['{"n":12345678901234567890,"a":false}', 'a', 'true', '{"n":12345678901234567890,"a":true}'],
    ['{"a":1}', 'k"\\y', '0', '{"k\\"\\\\y":0,"a":1}'],
  ])('%s set %s=%s → %s', (json, key, value, expected) => {
    expect(set(json, key, value)).toBe(expected);
  });
});

describe('setNestedField', () => {
  test.each([
    ['{"a":1}', '{"so":{"u":true},"a":1}'],
    ['{"so":null,"a":1}', '{"so":{"u":true},"a":1}'],
    ['{"so":{},"a":1}', '{"so":{"u":true},"a":1}'],
    ['{"so":{"u":false,"x":[1]}}', '{"so":{"u":true,"x":[1]}}'],
    ['{"so" : { "x" : 1 } }', '{"so" : {"u":true, "x" : 1 } }'],
    ['{"so":{"u":false},"so":{"x":1}}', '{"so":{"u":false},"so":{"u":true,"x":1}}'],
  ])('%s → %s', (json, expected) => {
    expect(setNestedField(b(json), 'so', 'u', 'true').toString('utf8')).toBe(expected);
  });
});

// Random JSON objects, written with random whitespace, sometimes with duplicate keys and escaped keys.
const KEYS = ['a', 'b', 'stream_options', 'é', '👋', 'k"q', 'x\\y', ''];
const key = fc.constantFrom(...KEYS);
const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');

function writeValue(v: unknown, ws: string, escapeKeys: boolean): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${ws}${v.map((x) => writeValue(x, ws, escapeKeys)).join(`${ws},${ws}`)}${ws}]`;
  return writeObject(Object.entries(v), ws, escapeKeys);
}

function writeKey(k: string, escape: boolean): string {
  // `\u` escapes for every character: the same key to JSON.parse, different bytes.
  if (!escape) return JSON.stringify(k);
  return `"${Array.from(k, (c) => (c.length === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`;
}

function writeObject(entries: Array<[string, unknown]>, ws: string, escapeKeys: boolean): string {
  return `{${ws}${entries.map(([k, v]) => `${writeKey(k, escapeKeys)}${ws}:${ws}${writeValue(v, ws, escapeKeys)}`).join(`${ws},${ws}`)}${ws}}`;
}

const entries = fc.array(fc.tuple(key, fc.jsonValue({ maxDepth: 4 })), { maxLength: 8 });

test('property: setTopLevelField(raw, k, v) parses to the object with k set to v, and keeps every other byte', () => {
  fc.assert(fc.property(entries, key, fc.jsonValue({ maxDepth: 3 }), space, fc.boolean(), (fields, k, value, ws, escapeKeys) => {
    const raw = ws + writeObject(fields, ws, escapeKeys) + ws;
    const valueJson = JSON.stringify(value);
    const edited = setTopLevelField(b(raw), k, valueJson).toString('utf8');
    const expected = JSON.parse(raw);
    expected[k] = JSON.parse(valueJson);
    expect(JSON.parse(edited)).toEqual(expected);
    // The edit is one splice: everything around the new value is the original, byte for byte.
    const span = topLevelFieldSpan(b(raw), k);
    const original = b(raw);
    const [cut, resume, inserted] = span
      ? [span.valueStart, span.valueEnd, valueJson]
      : [original.indexOf('{') + 1, original.indexOf('{') + 1, `${JSON.stringify(k)}:${valueJson}${fields.length ? ',' : ''}`];
    expect(b(edited)).toEqual(Buffer.concat([original.subarray(0, cut), b(inserted), original.subarray(resume)]));
  }), { numRuns: 1000 });
});

test('property: topLevelFieldSpan finds the value JSON.parse keeps', () => {
  fc.assert(fc.property(entries, key, space, fc.boolean(), (fields, k, ws, escapeKeys) => {
    const raw = writeObject(fields, ws, escapeKeys);
    const parsed = JSON.parse(raw);
    const span = topLevelFieldSpan(b(raw), k);
    if (!Object.prototype.hasOwnProperty.call(parsed, k)) {
      expect(span).toBeUndefined();
      return;
    }
    expect(JSON.parse(b(raw).subarray(span!.valueStart, span!.valueEnd).toString('utf8'))).toEqual(parsed[k]);
  }), { numRuns: 1000 });
});

test('property: setNestedField sets one field inside a top-level object, whatever was there', () => {
  const outer = fc.oneof(fc.constant(undefined), fc.constant(null), fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }));
  fc.assert(fc.property(entries, outer, space, (fields, so, ws) => {
    const all: Array<[string, unknown]> = so === undefined ? fields : [...fields, ['stream_options', so]];
    const raw = writeObject(all, ws, false);
    const expected = JSON.parse(raw);
    const current = expected.stream_options;
    expected.stream_options = { ...(current && typeof current === 'object' && !Array.isArray(current) ? current : {}), include_usage: true };
    expect(JSON.parse(setNestedField(b(raw), 'stream_options', 'include_usage', 'true').toString('utf8'))).toEqual(expected);
  }), { numRuns: 1000 });
});
