/** metricsHandler: the registry's text with its content type; a failing collection answers 500 without its details. */
import type { Request, Response } from 'express';
import { metricsHandler } from '../../lib';

function fakeResponse() {
  const res = {
    statusCode: 200, headers: {} as Record<string, string>, body: '',
    status(code: number) { res.statusCode = code; return res; },
    type(t: string) { res.headers['content-type'] = t; return res; },
    setHeader(name: string, value: string) { res.headers[name] = value; },
    send(body: string) { res.body = body; },
    end(body: string) { res.body = body; },
  };
  return res;
}

test('answers the text format with the registry\'s content type', async () => {
  const handler = metricsHandler({ contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => 'a_total 1\n', registerMetric() {}, getSingleMetric() {} });
  const res = fakeResponse();
  await handler({} as Request, res as unknown as Response);
  expect(res).toMatchObject({ statusCode: 200, body: 'a_total 1\n', headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
});

test('a collection that fails answers 500 and does not echo the error', async () => {
  const handler = metricsHandler({ contentType: 'text/plain', metrics: async () => { throw new Error('redis password=hunter2'); }, registerMetric() {}, getSingleMetric() {} });
  const res = fakeResponse();
  await handler({} as Request, res as unknown as Response);
  expect(res.statusCode).toBe(500);
  expect(res.body).toBe('metrics collection failed\n');
});

test('refuses something that is not a registry', () => {
  expect(() => metricsHandler({} as never)).toThrow('metricsHandler: `registry` must be a prom-client Registry.');
});
