// What the README's `import { authenticate, adminOnly } from './auth'` stands for: the reader's own middleware.
import type { RequestHandler } from 'express';

export const authenticate: RequestHandler = (req, _res, next) => {
  req.user = { id: 'alice', email: 'alice@example.com' };
  next();
};
export const adminOnly: RequestHandler = (req, res, next) => (req.user?.id === 'alice' ? next() : res.sendStatus(403));
