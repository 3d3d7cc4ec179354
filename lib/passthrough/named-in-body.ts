/** The stored-state ids a passthrough request body names (a conversation's item references), owner-checked before it goes up. */
import { GatewayError } from '../errors';
import { JsonEditError } from '../json/json-edit';
import { tooManyNamed } from '../ownership/ownership-guard';
import type { NamedId } from '../ownership/stored-state';
import type { PassthroughCall } from './passthrough-call';

/** Item references checked concurrently (a store read each). */
const CHECKS_AT_ONCE = 16;

const UNREADABLE = new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: 'The request body could not be read as one JSON object.' });
const ENCODED = new GatewayError({ status: 415, errorType: 'bad_request', code: 'unsupported_encoding', message: 'A request body on this route must not be content-encoded.' });

function isEncoded(encoding: string | string[] | undefined): boolean {
  if (encoding === undefined) return false;
  return (Array.isArray(encoding) ? encoding : [encoding]).some((v) => v.trim() !== '' && v.trim().toLowerCase() !== 'identity');
}

/**
 * Throws the provider's `404` when the body names an id another actor owns (as the route's own id would), a `400`
 * for a body that cannot be read, a `415` for an encoded one: what the bridge cannot read, it cannot check.
 */
export async function checkNamedInBody(call: PassthroughCall): Promise<void> {
  const { scoped: rule, body: raw } = call;
  if (!rule?.namedInBody || raw === undefined || raw.length === 0) return;
  if (isEncoded(call.bodyEncoding)) throw ENCODED;
  const guard = call.route.bridge.ownership;
  const provider = call.route.adapter.name;
  const actor = call.actor.id;
  let named: NamedId[];
  try {
    named = rule.namedInBody(raw);
  } catch (err) {
    if (err instanceof JsonEditError || err instanceof SyntaxError) throw UNREADABLE;
    throw err;
  }
  const tooMany = tooManyNamed(named.length);
  if (tooMany) throw tooMany;
  for (let at = 0; at < named.length; at += CHECKS_AT_ONCE) {
    await Promise.all(named.slice(at, at + CHECKS_AT_ONCE).map((ref) => guard.check({ provider, ...ref }, actor, 'passthrough')));
  }
}
