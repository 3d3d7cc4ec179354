/** The fake upstream's transcripts: the `.http` format, and the shipped files load and agree with the helpers built on them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chatCompletion, loadTranscripts, parseHttp, textStreamEvents } from '../../lib/testing/fixtures';

describe('parseHttp', () => {
  test('reads status, lower-cased headers and a JSON body, and sets its length', () => {
    const t = parseHttp('HTTP/1.1 201 Created\nContent-Type: application/json\nx-a: b: c\n\n{"ok":true}\n\n', 'x.http');
    expect(t.status).toBe(201);
    expect(t.headers).toEqual({ 'content-type': 'application/json', 'x-a': 'b: c', 'content-length': '11' });
    expect(t.body.toString()).toBe('{"ok":true}');
    expect(t.events).toBeUndefined();
  });

  test('splits an SSE body into events, each ending with a blank line', () => {
    const t = parseHttp('HTTP/1.1 200 OK\ncontent-type: text/event-stream\n\ndata: 1\n\nevent: x\ndata: 2\n\ndata: [DONE]\n', 'x.http');
    expect(t.events!.map((e) => e.toString())).toEqual(['data: 1\n\n', 'event: x\ndata: 2\n\n', 'data: [DONE]\n\n']);
    expect(t.body.toString()).toBe('data: 1\n\nevent: x\ndata: 2\n\ndata: [DONE]\n\n');
  });

  test.each([
    ['no blank line', 'HTTP/1.1 200 OK\nx: y', /no blank line/],
    ['no status line', 'HTTP/2 200\n\n{}', /status line/],
    ['a bad header line', 'HTTP/1.1 200 OK\nnot a header\n\n{}', /"not a header" is not a header line/],
  ])('refuses %s, naming the file', (_label, text, message) => {
    expect(() => parseHttp(text, 'openai/bad.http')).toThrow(message);
    expect(() => parseHttp(text, 'openai/bad.http')).toThrow(/openai\/bad\.http/);
  });
});

describe('the OpenAI transcripts', () => {
  const dir = path.resolve(__dirname, '../../lib/testing/fake/transcripts/openai');
  const t = loadTranscripts('openai') as Record<string, any>;

  test('load once, as parsed answers and text', () => {
    expect(Object.keys(t).sort()).toEqual(['chat-completion', 'chat-stream', 'chat-stream-usage', 'echo-answer', 'models']);
    expect(loadTranscripts('openai')).toBe(t);
    expect(t['echo-answer']).toContain('{question}');
  });

  test('the blocking answer is the file\'s body byte for byte, and chatCompletion() is its JSON', () => {
    const file = readFileSync(path.join(dir, 'chat-completion.http'), 'utf8');
    expect(t['chat-completion'].body.toString()).toBe(file.slice(file.indexOf('\n\n') + 2).trimEnd());
    expect(chatCompletion()).toEqual(JSON.parse(t['chat-completion'].body.toString()));
    expect(chatCompletion({ id: 'x' })).toMatchObject({ id: 'x', object: 'chat.completion' });
  });

  test('with include_usage every chunk carries usage: null and one usage chunk comes last, as the real API does', () => {
    const withUsage = textStreamEvents(true);
    const without = textStreamEvents(false);
    expect(withUsage.at(-1)).toBe('[DONE]');
    expect(without.at(-1)).toBe('[DONE]');
    const chunks = withUsage.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } });
    expect(without.slice(0, -1).every((e) => !('usage' in JSON.parse(e)))).toBe(true);
    expect(without.length).toBe(withUsage.length - 1);
  });
});
