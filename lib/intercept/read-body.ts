/** Reads a bridged request's JSON body once, bounded, keeping the exact bytes for the upstream. */
import type { Request } from 'express';
import { GatewayError } from '../errors';
import type { JsonObject } from './api';

export interface JsonBody {
  raw: Buffer;
  json: JsonObject;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(413, 'bad_request', 'request_too_large', `Request body exceeds the limit of ${limit} bytes.`);
}

/** The request body's bytes, read once; a {@link GatewayError} `413` past `limit`. */
export function readRawBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume(); // drain the rest so the socket is not left half-read
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Raw bytes already consumed by a body parser the host mounted in front of the bridge. */
function preParsed(req: Request): Buffer | undefined {
  if (!req.readableEnded || req.body === undefined) return undefined;
  if (Buffer.isBuffer(req.body)) return req.body;
  return Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
}

/** The body as a JSON object; `400` when it is not JSON or not an object, `413` over the limit. */
export async function readJsonBody(req: Request, limit: number): Promise<JsonBody> {
  const raw = preParsed(req) ?? (await readRawBody(req, limit));
  if (raw.length > limit) throw tooLarge(limit);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError(400, 'bad_request', 'invalid_json', 'Request body is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new GatewayError(400, 'bad_request', 'invalid_request', 'Request body must be a JSON object.');
  }
  return { raw, json: json as JsonObject };
}
