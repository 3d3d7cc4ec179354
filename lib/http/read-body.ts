/** Reads a request body once, bounded: from the stream, or from what a host body parser already made of it. */
import type { Request } from 'express';
import { GatewayError } from '../errors';
import { type JsonObject } from '../json/parse-object';

export interface JsonBody {
  raw: Buffer;
  json: JsonObject;
}

/** A request body as the bridge will forward it. */
export interface RequestBody {
  raw: Buffer;
  /**
   * A host body parser read the stream first: `raw` is what it kept (decoded, so the client's `Content-Encoding`
   * no longer applies) or, when `reserialized`, its parsed `req.body` written back as JSON.
   */
  fromParser: boolean;
  reserialized: boolean;
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError({ status: 413, errorType: 'bad_request', code: 'request_too_large', message: `Request body exceeds the limit of ${limit} bytes.` });
}

const CONSUMED = new GatewayError({ status: 500, errorType: 'unknown', code: 'body_consumed', message: 'The request body was read by a middleware in front of the gateway and not kept; mount the gateway before body parsers.' });

function clientGone(): Error {
  return Object.assign(new Error('The client went away while sending the body.'), { code: 'ECONNRESET' });
}

/** The request body's bytes, read once from the stream; a {@link GatewayError} `413` as soon as it passes `limit`. */
export function readRawBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  // Gone before the body was read (e.g. while a slow actor resolver ran): its 'close' has passed and will not come again.
  if (req.destroyed) return Promise.reject(clientGone());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume(); // keep reading (and discarding) until the 413 is out and the connection is closed
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
    // A client that leaves mid-body: 'close' without 'end' (there may be no 'error').
    const onClose = () => onError(clientGone());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** What a body parser in front of the bridge left; undefined when the stream has not been read. */
function preParsed(req: Request): RequestBody | undefined {
  if (!req.readableEnded) return undefined;
  if (req.headers['content-length'] === '0') return { raw: Buffer.alloc(0), fromParser: true, reserialized: false };
  // `express.json({ verify })` hosts often keep the exact bytes here.
  const kept = (req as Request & { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(kept)) return { raw: kept, fromParser: true, reserialized: false };
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return { raw: body, fromParser: true, reserialized: false };
  if (typeof body === 'string') return { raw: Buffer.from(body), fromParser: true, reserialized: false };
  if (body !== undefined && body !== null && typeof body === 'object') return { raw: Buffer.from(JSON.stringify(body)), fromParser: true, reserialized: true };
  throw CONSUMED;
}

/** The body, from the stream or a host body parser; `413` past `limit`. */
export async function readBody(req: Request, limit: number): Promise<RequestBody> {
  const parsed = preParsed(req);
  if (!parsed) return { raw: await readRawBody(req, limit), fromParser: false, reserialized: false };
  if (parsed.raw.length > limit) throw tooLarge(limit);
  return parsed;
}

/** The body as a JSON object; `400` when it is not JSON or not an object, `413` over the limit. */
export async function readJsonBody(req: Request, limit: number): Promise<JsonBody> {
  const { raw } = await readBody(req, limit);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_json', message: 'Request body is not valid JSON.' });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new GatewayError({ status: 400, errorType: 'bad_request', code: 'invalid_request', message: 'Request body must be a JSON object.' });
  }
  return { raw, json: json as JsonObject };
}
