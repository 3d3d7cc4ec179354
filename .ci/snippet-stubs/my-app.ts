// What the docs' `import … from './my-app'` stands for: the reader's own app, middleware, users and tools, which a
// snippet uses without showing them.
import express, { type RequestHandler } from 'express';
import { createBridge, openaiProvider, type Actor, type ActorResolver, type InjectedTool, type OutgoingRequest, type UpstreamCredential } from 'express-aibridge';

export const app = express();
export const auth: RequestHandler = (_req, _res, next) => next();
export const adminAuth: RequestHandler = (_req, res) => void res.sendStatus(403);

export const users = {
  byToken(token: string | undefined): Actor | undefined {
    return token === 'demo-token' ? { id: 'alice', metadata: { role: 'admin' } } : undefined;
  },
};
export const actor: ActorResolver = (req) => users.byToken(req.get('authorization')?.replace(/^Bearer /, ''));
export const providers = [openaiProvider({ keys: ['sk-pool-key'] })];
export const bridge = createBridge({ providers, actor });

export const searchTool: InjectedTool = { name: 'search_docs', inputSchema: { type: 'object', properties: { query: { type: 'string' } } } };
export const adminTool: InjectedTool = { name: 'reindex_docs', inputSchema: { type: 'object' } };
export async function searchDocs(query: string, _options: { user: string; signal?: AbortSignal }): Promise<string[]> {
  return [`no hits for ${query}`];
}

/** A provider's key, and how its requests are signed (docs/writing-a-provider.md). */
export const secret = 'acme-secret';
export function sign(req: OutgoingRequest, _credential: UpstreamCredential, now: Date): OutgoingRequest {
  req.headers['x-acme-date'] = now.toISOString();
  return req;
}
