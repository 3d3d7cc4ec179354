/** What a dump file says: its name, the request as sent and the response head, with credentials masked. */
import type { IncomingHttpHeaders } from 'node:http';
import { maskKey } from '../../redaction/key-mask';
import type { KeyScrub } from '../../redaction/redactor';

/** One upstream request as the bridge sends it. */
export interface DumpRequest {
  method: string;
  /** The path (and query) on the upstream's origin. */
  path: string;
  headers: Readonly<Record<string, string | string[] | number | undefined>>;
  body?: Buffer | string;
}

/** Headers that carry a credential or a session: always masked, whatever their value. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie', 'set-cookie', 'x-goog-api-key']);

/** `NNN-attempt.http`: attempts of one interception sort in the order they were made. */
export function attemptFileName(n: number): string {
  return `${String(n).padStart(3, '0')}-attempt.http`;
}

/**
 * A credential header's value as its hint: the scheme kept (`Bearer sk-a...wxyz`), the rest masked, as the
 * attempt's credential hint when known, else by the same masking the key pool uses.
 */
function maskCredential(value: string, hint: string | undefined): string {
  const scheme = /^([A-Za-z0-9-]+) +(?=\S)/.exec(value);
  const secret = scheme ? value.slice(scheme[0].length) : value;
  return `${scheme ? scheme[0] : ''}${hint ?? maskKey(secret)}`;
}

function headerLines(headers: DumpRequest['headers'] | IncomingHttpHeaders, scrub: KeyScrub, hint: string | undefined): string {
  let out = '';
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const credential = CREDENTIAL_HEADERS.has(name.toLowerCase());
    for (const value of Array.isArray(raw) ? raw : [String(raw)]) {
      // Newlines cannot be in a header sent or received; stripped anyway so a line of the dump stays one header.
      const shown = credential ? maskCredential(value, hint) : scrub.text(value);
      out += `${name}: ${shown.replace(/[\r\n]/g, ' ')}\n`;
    }
  }
  return out;
}

/** The request line, its headers (credentials masked, any key in another header replaced by its hint), a blank line. */
export function requestHead(request: DumpRequest, scrub: KeyScrub, hint: string | undefined): string {
  return `${request.method} ${request.path} HTTP/1.1\n${headerLines(request.headers, scrub, hint)}\n`;
}

/** The response's status line and headers, redacted the same way; it follows the request body after a blank line. */
export function responseHead(status: number, headers: IncomingHttpHeaders, scrub: KeyScrub): string {
  return `\n\nHTTP/1.1 ${status}\n${headerLines(headers, scrub, undefined)}\n`;
}

/** The line that ends a file whose attempt got no answer, or whose answer did not come to its end. */
export function failureNote(what: string, message: string, scrub: KeyScrub): string {
  return `\n\n[express-aibridge: ${what}: ${scrub.text(message).replace(/[\r\n]+/g, ' ')}]\n`;
}
