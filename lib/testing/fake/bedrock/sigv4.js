// Checks a request's SigV4 signature by signing it again with the known secret (@smithy/signature-v4), or its bearer API key.
'use strict';

const { timingSafeEqual } = require('node:crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

function sameText(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function amzDate(v) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v || '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

function queryOf(search) {
  const out = {};
  for (const [k, v] of new URLSearchParams(search)) out[k] = out[k] === undefined ? v : [].concat(out[k], v);
  return out;
}

/**
 * Who signed `req` (with `body`): `{ ok: true, auth }` naming the credential, or `{ ok: false, status, type, message }`
 * as Bedrock refuses it. `credentials` are `{ accessKeyId, secretAccessKey, sessionToken? }`; `apiKeys` bearer keys;
 * `expired` session tokens refused as expired.
 */
async function verify(req, body, { region, credentials, apiKeys, expired }) {
  const header = req.headers.authorization || '';
  if (header.startsWith('Bearer ')) {
    const key = header.slice(7);
    if (apiKeys.some((k) => sameText(k, key))) return { ok: true, auth: { kind: 'bearer', key } };
    return { ok: false, status: 403, type: 'UnrecognizedClientException', message: 'Invalid API Key format: Must start with pre-defined prefix' };
  }
  const m = AUTH.exec(header);
  if (!m) return { ok: false, status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, accessKeyId, day, scopeRegion, service, signedHeaders, given] = m;
  const credential = credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) return { ok: false, status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  const token = req.headers['x-amz-security-token'];
  if (credential.sessionToken !== undefined && token !== credential.sessionToken) {
    return { ok: false, status: 403, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  if (token !== undefined && expired.has(token)) return { ok: false, status: 403, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' };
  const date = amzDate(req.headers['x-amz-date']);
  if (!date || Math.abs(Date.now() - date.getTime()) > MAX_SKEW_MS || !req.headers['x-amz-date'].startsWith(day)) {
    return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'Signature expired or not yet current.' };
  }
  if (scopeRegion !== region || service !== 'bedrock') {
    return { ok: false, status: 403, type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and the service bedrock.` };
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'host and x-amz-date must be signed.' };
  const headers = {};
  // The body's hash is computed again, not read from the header: a changed body must fail.
  for (const name of names) if (name !== 'x-amz-content-sha256' && req.headers[name] !== undefined) headers[name] = String(req.headers[name]);
  const [path, search = ''] = req.url.split('?');
  const [hostname, port] = headers.host.split(':');
  const signer = new SignatureV4({ service: 'bedrock', region, sha256: Sha256, credentials: credential });
  const signed = await signer.sign({ method: req.method, protocol: 'http:', hostname, port: port && Number(port), path, query: queryOf(search), headers, body }, { signingDate: date });
  const expected = /Signature=([0-9a-f]{64})$/.exec(signed.headers.authorization)[1];
  const expectedHeaders = /SignedHeaders=([a-z0-9;-]+),/.exec(signed.headers.authorization)[1];
  if (expectedHeaders !== signedHeaders || !sameText(expected, given)) {
    return { ok: false, status: 403, type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return { ok: true, auth: { kind: 'sigv4', accessKeyId, sessionToken: token, signedAt: date } };
}

module.exports = { verify };
