/** SigV4 signing of one Bedrock attempt, at the attempt's own time, with the credentials the pool gave it. */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigningCredential } from '../../keypool/credentials';
import type { OutgoingRequest } from '../provider-hooks';

/** The service name Bedrock runtime requests are signed for. */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256 and HMAC-SHA256 for the signer from node:crypto: signing a 200 KiB body (Claude Code sends hundreds of KiB)
 * takes about 0.25 ms of the event loop, against 3.8 ms with a pure-JavaScript hash.
 */
class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

/** Signs `request` in place: its `x-amz-*` headers and `authorization`. */
export type RequestSigner = (request: OutgoingRequest, credential: SigningCredential, now: Date) => Promise<void>;

/**
 * A signer for one region and endpoint. Only `host` and `content-type` are signed with the `x-amz-*` headers the
 * signature adds: the other headers may go as they are, and nothing on the way can break the signature by
 * normalising one of them. The path is signed as sent (already percent-encoded), encoded once more as SigV4 wants.
 */
export function requestSigner(region: string, baseURL: string): RequestSigner {
  const url = new URL(baseURL);
  const { host, hostname, protocol } = url;
  const port = url.port === '' ? undefined : Number(url.port);
  // One signer per credential object: it caches the day's signing key for those secrets.
  const signers = new WeakMap<SigningCredential, SignatureV4>();
  function signerFor(credential: SigningCredential): SignatureV4 {
    let signer = signers.get(credential);
    if (!signer) {
      const { accessKeyId, secretAccessKey, sessionToken } = credential;
      signer = new SignatureV4({ service: BEDROCK_SIGNING_SERVICE, region, sha256: NodeSha256, credentials: { accessKeyId, secretAccessKey, sessionToken } });
      signers.set(credential, signer);
    }
    return signer;
  }
  return async function signRequest(request, credential, now) {
    const headers: Record<string, string> = { host };
    const type = request.headers['content-type'];
    if (request.body.length > 0 && typeof type === 'string') headers['content-type'] = type;
    const signed = await signerFor(credential).sign({
      method: request.method, protocol, hostname, port, path: request.path, query: queryOf(request.query), headers, body: request.body,
    }, { signingDate: now });
    for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') request.headers[name] = value;
  };
}

/** The query string as the signer takes it (repeated names as arrays). */
function queryOf(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (query === '') return out;
  for (const [name, value] of new URLSearchParams(query)) {
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
}
