/** The example's users: a demo token → user map, and the auth middleware that turns a bearer token into `req.user`. */
'use strict';

const DEMO_USERS = {
  'demo-token-alice': { id: 'alice', email: 'alice@example.com' },
  'demo-token-bob': { id: 'bob', email: 'bob@example.com' },
};

/**
 * The token map: the two demo users plus any from `AIBRIDGE_DEMO_TOKENS`, a comma-separated list of
 * `token:userId` or `token:userId:email` (e.g. `tok-carol:carol:carol@example.com`).
 */
function loadUsers(env) {
  const users = { ...DEMO_USERS };
  for (const entry of (env.AIBRIDGE_DEMO_TOKENS || '').split(',')) {
    if (entry.trim() === '') continue;
    const [token, id, email] = entry.split(':').map((s) => s.trim());
    if (!token || !id) throw new Error(`AIBRIDGE_DEMO_TOKENS: "${entry}" is not token:userId[:email].`);
    users[token] = { id, email: email || `${id}@example.com` };
  }
  return users;
}

/** The bearer token of a request: what an OpenAI SDK client sends as its `apiKey`. */
function bearerToken(req) {
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match ? match[1].trim() : undefined;
}

/**
 * Sets `req.user` when the bearer token is known. It never rejects: the bridge answers `401` itself
 * (in the provider's error format) when `actor` finds no user, and the app's own private routes use `requireUser`.
 */
function authenticate(users) {
  return function demoAuth(req, _res, next) {
    const token = bearerToken(req);
    const user = token !== undefined && Object.hasOwn(users, token) ? users[token] : undefined;
    if (user) req.user = user;
    next();
  };
}

const AUTH_REQUIRED = {
  error: {
    message: 'Authentication required: send a demo token as `Authorization: Bearer <token>`.',
    type: 'authentication_error',
    code: 'unauthorized',
  },
};

/** Guards the app's own routes (after `authenticate`): unknown callers get the same OpenAI-shaped `401` as from the bridge. */
function requireUser(req, res, next) {
  if (req.user) return next();
  res.status(401).json(AUTH_REQUIRED);
}

/** The bridge's `actor`: who the request is for, as the recorder will see it. */
function actorFromUser(req) {
  return req.user && { id: req.user.id, metadata: { email: req.user.email } };
}

module.exports = { DEMO_USERS, loadUsers, authenticate, requireUser, actorFromUser };
