/** GitHub Copilot's hosts, its passthrough allowlist and where each bridged API lives on its upstream. */
import type { ApiAdapter } from '../../apis/api';
import { messagesApi } from '../../apis/anthropic-messages/messages-api';
import { passthroughRule } from '../passthrough-rule';
import type { PassthroughRule } from '../types';

/** The Copilot API's hosts, one per plan: pass one as `copilotProvider({ baseURL })`. */
export const COPILOT_HOSTS = Object.freeze({
  individual: 'https://api.individual.githubcopilot.com',
  business: 'https://api.business.githubcopilot.com',
  enterprise: 'https://api.enterprise.githubcopilot.com',
});

/**
 * Routes are `/{name}/v1/…` like OpenAI's, while the upstream serves them at its root (`/chat/completions`,
 * `/models`): the `/v1` is dropped on the way up. Only Anthropic Messages keeps it (`/v1/messages` upstream).
 */
export const COPILOT_ROUTE_PREFIX = '/v1';

// The client's own token always goes with these, so no route here can spend anyone else's subscription. MCP over
// streamable HTTP uses GET (its event stream), POST and DELETE (ending a session).
export const COPILOT_PASSTHROUGH: readonly PassthroughRule[] = Object.freeze([
  passthroughRule(['GET'], '/v1/models/*'),
  passthroughRule(['POST'], '/v1/models/:id/policy'),
  passthroughRule(['GET'], '/v1/agents/*'),
  passthroughRule(['GET', 'POST', 'DELETE'], '/v1/mcp/*'),
  passthroughRule(['GET'], '/v1/.well-known/*'),
]);

/** The upstream path of a bridged API: its route without `/v1`, except Anthropic Messages, served at `/v1/messages`. */
export function copilotUpstreamPath({ api, path }: { api: ApiAdapter; path: string }): string {
  return api === messagesApi ? api.route : path;
}
