/** allow/deny of mcpToolInjector as RegExps and as functions of the request: deny wins, a throwing function denies. */
import winston from 'winston';
import { MemoryTransport } from '../helpers/gateway';
import { toolPolicy } from '../../lib/tools/tool-policy';
import type { ToolContext } from '../../lib/tools/types';

const logs = new MemoryTransport();
const logger = winston.createLogger({ level: 'debug', transports: [logs] });
const ctx = (id: string): ToolContext => ({ actor: { id }, providerName: 'openai', model: 'm', signal: new AbortController().signal });

test('RegExps only: decided per tool list, nothing asked per request', () => {
  const policy = toolPolicy(/^read/, /secret/, () => logger);
  expect(policy.perRequest).toBeUndefined();
  expect(['read_file', 'read_secret', 'write_file'].map(policy.listed)).toEqual([true, false, false]);
});

test('functions: asked per request with the actor and the tool; deny wins over allow; a RegExp part still applies to the list', () => {
  const policy = toolPolicy((c, t) => c.actor.id === 'admin' || t.name.startsWith('read'), (_c, t) => t.server === 'prod' && t.name === 'read_logs', () => logger);
  expect(policy.listed('anything')).toBe(true);
  const ask = (id: string, server: string, name: string) => policy.perRequest!(ctx(id), { server, name });
  expect(ask('alice', 'dev', 'read_file')).toBe(true);
  expect(ask('alice', 'dev', 'delete_file')).toBe(false);
  expect(ask('admin', 'dev', 'delete_file')).toBe(true);
  expect(ask('admin', 'prod', 'read_logs')).toBe(false);
  const mixed = toolPolicy(() => true, /^rm$/, () => logger);
  expect(mixed.listed('rm')).toBe(false);
});

test('a function that throws or answers something other than true denies, and is logged', () => {
  const throwing = toolPolicy(() => {
    throw new Error('group lookup failed');
  }, undefined, () => logger);
  expect(throwing.perRequest!(ctx('alice'), { server: 's', name: 't' })).toBe(false);
  expect(logs.lines.some((l) => l.includes('group lookup failed') && l.includes('"tool":"t"'))).toBe(true);
  const truthy = toolPolicy((() => 'yes') as never, undefined, () => logger);
  expect(truthy.perRequest!(ctx('alice'), { server: 's', name: 't' })).toBe(false);
  const denyThrows = toolPolicy(undefined, () => {
    throw new Error('x');
  }, () => logger);
  expect(denyThrows.perRequest!(ctx('alice'), { server: 's', name: 't' })).toBe(false);
});
