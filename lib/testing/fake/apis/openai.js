// The OpenAI API of the fake (chat completions, Responses, embeddings, completions, models, conversations): its routes, how it reads a credential, its error shape.
'use strict';

const { loadTranscripts } = require('../transcripts');
const { sendBuffer, sendJson } = require('../sse');
const { safeDecode } = require('../generated');
const { createChatCompletions } = require('./openai-chat');
const { createResponses } = require('./openai-responses');
const { createCompletions, createEmbeddings } = require('./openai-embeddings-completions');
const { checkOpenAITools } = require('../tool-checks');

/** An API description for the server: `credential(headers)`, `errorBody(type, message, code)`, `errors`, `routes`. */
function createOpenAIApi(config) {
  const t = loadTranscripts('openai');
  const models = t.models;
  return {
    name: 'openai',
    credential(headers) {
      const auth = headers.authorization;
      return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    },
    errorBody: (type, message, code) => ({ error: { message, type, param: null, code } }),
    checkRequest: checkOpenAITools,
    errors: {
      unauthorized: { status: 401, type: 'invalid_request_error', message: 'Incorrect API key provided.', code: 'invalid_api_key' },
      rateLimited: { status: 429, type: 'requests', message: 'Rate limit reached for requests.', code: 'rate_limit_exceeded' },
      tooLarge: { status: 413, type: 'invalid_request_error', message: 'Request body too large.', code: null },
      notFound: (method, path) => ({ status: 404, type: 'invalid_request_error', message: `Unknown request URL: ${method} ${path}.`, code: 'unknown_url' }),
      internal: (message) => ({ status: 500, type: 'server_error', message, code: null }),
    },
    routes: [
      { method: 'POST', path: '/v1/chat/completions', handle: createChatCompletions(config) },
      { method: 'POST', path: '/v1/responses', handle: createResponses(config) },
      { method: 'POST', path: '/v1/embeddings', handle: createEmbeddings() },
      { method: 'POST', path: '/v1/completions', handle: createCompletions(config) },
      { method: 'GET', path: '/v1/models', handle: (ctx) => sendBuffer(ctx.res, models.status, models.headers, models.body) },
      {
        method: 'GET',
        path: /^\/v1\/models\/([^/]+)$/,
        handle: (ctx, m) => sendJson(ctx.res, 200, { id: safeDecode(m[1]), object: 'model', created: 1, owned_by: 'openai' }),
      },
      // Passthrough traffic in the tests: whatever was sent comes back, so a test can see it arrived unchanged.
      { method: '*', path: /^\/v1\/conversations(\/|$)/, handle: (ctx) => sendJson(ctx.res, 200, { id: 'conv_1', object: 'conversation', echo: ctx.req.body }) },
    ],
  };
}

module.exports = { createOpenAIApi };
