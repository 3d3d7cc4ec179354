/** Azure OpenAI's addressing: the base URL under `/openai`, the classic deployment paths, `api-version` on every request. */
import type { RequestHook, UpstreamPathMapping } from '../provider-hooks';
import type { AzureRouting } from './compatible-options';

// What a host may have copied with the endpoint: Azure's docs show both forms.
const AZURE_SUFFIX = /\/openai(?:\/v1)?$/;

/** The base URL the bridge appends `/v1`-less routes to: `<resource>/openai/v1` (v1 API) or `<resource>/openai` (classic). */
export function azureBaseURL(resource: string, azure: AzureRouting): string {
  const endpoint = resource.replace(AZURE_SUFFIX, '');
  return `${endpoint}${azure.v1 ? '/openai/v1' : '/openai'}`;
}

/**
 * The classic API's chat path names a deployment: the one `deployments` maps the model to, else the model itself.
 * Responses (and every passthrough route) keep the default path under `/openai` (`/openai/responses`), where the
 * body's `model` names the deployment. Undefined for the v1 API: its paths are OpenAI's.
 */
export function deploymentPath(azure: AzureRouting): UpstreamPathMapping | undefined {
  if (azure.v1) return undefined;
  const { deployments } = azure;
  return ({ api, call, path }) => {
    if (api.name !== 'chat-completions') return path;
    return `/deployments/${encodeURIComponent(deployments.get(call.model) ?? call.model)}/chat/completions`;
  };
}

/** Whether a query part names `api-version` as the upstream reads it: percent-decoded, `+` as a space, any case. */
function namesApiVersion(part: string): boolean {
  const at = part.indexOf('=');
  const name = (at === -1 ? part : part.slice(0, at)).replace(/\+/g, ' ');
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return false; // undecodable: no server reads it as `api-version`
  }
  return decoded.toLowerCase() === 'api-version';
}

/** `query` with `param` (`api-version=…`) in place of any `api-version` the client sent (encoded or cased otherwise too). */
export function withApiVersion(query: string, param: string): string {
  if (query === '') return param;
  const kept = query.split('&').filter((part) => part !== '' && !namesApiVersion(part));
  kept.push(param);
  return kept.join('&');
}

/** Adds the configured `api-version` to every attempt, bridged and passthrough; undefined when none is sent (v1). */
export function apiVersionHook(azure: AzureRouting): RequestHook | undefined {
  const param = azure.apiVersionParam;
  if (param === undefined) return undefined;
  return function addApiVersion(request) {
    request.query = withApiVersion(request.query, param);
    return request;
  };
}
