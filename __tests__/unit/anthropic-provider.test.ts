/** The Anthropic provider adapter's data: error vocabulary, client credentials in both forms, the stream error and keep-alive events. */
import { GatewayError } from '../../lib/errors';
import { anthropicErrorTypeFor, anthropicProvider, staticKey } from '../../lib';
import { anthropicClientCredential } from '../../lib/providers/anthropic';
import { messagesApi } from '../../lib/apis/anthropic-messages/messages-api';

const provider = anthropicProvider({ keys: ['sk-ant-x'] });

test.each([
  [400, 'invalid_request_error'], [401, 'authentication_error'], [403, 'permission_error'], [404, 'not_found_error'],
  [413, 'request_too_large'], [429, 'rate_limit_error'], [500, 'api_error'], [502, 'api_error'], [503, 'overloaded_error'], [529, 'overloaded_error'],
])('a gateway %i renders as %s in Anthropic\'s shape', (status, type) => {
  const body = JSON.parse(provider.errorBody(new GatewayError({ status, errorType: 'unknown', code: 'c', message: 'msg' })));
  expect(body).toEqual({ type: 'error', error: { type, message: 'msg' } });
});

test('recorded error types map to Anthropic types', () => {
  expect(['bad_request', 'unauthorized', 'rate_limited', 'overloaded', 'server_error', 'timeout', 'aborted', 'unknown', 'other'].map(anthropicErrorTypeFor))
    .toEqual(['invalid_request_error', 'authentication_error', 'rate_limit_error', 'overloaded_error', 'api_error', 'api_error', 'api_error', 'api_error', 'api_error']);
});

test('the mid-stream error event is an Anthropic error event', () => {
  expect(messagesApi.streamErrorEvent({ message: 'slow', type: 'api_error', code: 'upstream_timeout' }))
    .toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"slow"}}\n\n');
  // The provider names gateway errors in its own words; the API only frames them.
  expect(provider.errorType(new GatewayError({ status: 504, errorType: 'timeout', code: 'upstream_timeout', message: 'slow' }))).toBe('api_error');
  expect(provider.errorType(new GatewayError({ status: 503, errorType: 'overloaded', code: 'shutting_down', message: 'bye' }))).toBe('overloaded_error');
  expect(provider.errorType(new GatewayError({ status: 429, errorType: 'rate_limited', code: 'rate_limit_exceeded', message: 'wait' }))).toBe('rate_limit_error');
  expect(messagesApi.keepAliveEvent?.toString()).toBe('event: ping\ndata: {"type": "ping"}\n\n');
});

test('client credentials keep their header form; x-api-key wins when both are sent', () => {
  expect(anthropicClientCredential({ 'x-api-key': 'k1' })).toEqual({ key: 'k1', headers: { 'x-api-key': 'k1' } });
  expect(anthropicClientCredential({ authorization: 'Bearer t1' })).toEqual({ key: 't1', headers: { authorization: 'Bearer t1' } });
  expect(anthropicClientCredential({ 'x-api-key': 'k1', authorization: 'Bearer t1' })?.headers).toEqual({ 'x-api-key': 'k1' });
  expect(anthropicClientCredential({ authorization: 'Basic abc' })).toBeUndefined();
  expect(provider.credentialHeaders(staticKey('pool'), 'centralized')).toEqual({ 'x-api-key': 'pool' });
  expect(provider.defaultHeaders).toEqual({ 'anthropic-version': '2023-06-01' });
});

test('defaults: name anthropic, the public API, no route prefix in the base URL', () => {
  expect(provider).toMatchObject({ kind: 'anthropic', name: 'anthropic', baseURL: 'https://api.anthropic.com', routePrefixInBaseURL: '' });
  expect(() => anthropicProvider({ keys: [] })).toThrow(/anthropicProvider.*keys/);
});
