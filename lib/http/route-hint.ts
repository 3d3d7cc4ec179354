/** The message of an unknown route under a provider, with "did you mean …?" when the client's base URL misses or doubles the version. */

/** The first segment of a route path, its API version (`/v1` of `/v1/messages`); '' for none. */
export function versionOf(route: string): string {
  return /^\/[^/]+/.exec(route)?.[0] ?? '';
}

/**
 * `Unknown route: POST /chat/completions`, followed by `Did you mean POST /ai/openai/v1/chat/completions?` when
 * the path with `version` added (an OpenAI client's baseURL without `/v1`) or removed (an Anthropic client's baseURL
 * ending in `/v1`) is a route of the provider. `fullPath` is the request path as the client sent it (mount included),
 * so the hint shows what to call; `isRoute` says whether a method and a path relative to the provider are served.
 */
export function unknownRouteMessage(method: string, routePath: string, fullPath: string, version: string,
  isRoute: (method: string, routePath: string) => boolean): string {
  const message = `Unknown route: ${method} ${routePath || '/'}`;
  if (version === '') return message;
  const doubled = routePath.startsWith(`${version}${version}/`);
  const candidate = doubled ? routePath.slice(version.length) : `${version}${routePath}`;
  if ((!doubled && routePath.startsWith(`${version}/`)) || !isRoute(method, candidate)) return message;
  const mount = fullPath.endsWith(routePath) ? fullPath.slice(0, fullPath.length - routePath.length) : '';
  return `${message}. Did you mean ${method} ${mount}${candidate}?`;
}
