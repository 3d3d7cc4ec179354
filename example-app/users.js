/** The example's users: a demo token → user map, the auth middleware that turns a bearer token into `req.user`, and the dashboard's admin check. */
'use strict';

const DEMO_USERS = {
  // Only alice may open the usage dashboard: it shows everyone's prompts.
  'demo-token-alice': { id: 'alice', email: 'alice@example.com', admin: true },
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

/** The user of an `Authorization: Basic` header whose user name is a demo user's id and whose password is that user's token. */
function basicUser(req, users) {
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const token = decoded.slice(colon + 1);
  const user = Object.hasOwn(users, token) ? users[token] : undefined;
  return user && user.id === decoded.slice(0, colon) ? user : undefined;
}

/**
 * Guards the dashboard: admins only. A browser cannot put a bearer token on a page load, but it does HTTP Basic
 * auth natively (and resends it on the page's own requests), so the dashboard also takes Basic with the user id as
 * user name and the demo token as password; scripts can send the bearer token as elsewhere. No or unknown
 * credentials → `401` with a Basic challenge (the browser asks for them); a known user who is not an admin → `403`.
 */
function requireAdmin(users) {
  return function demoAdminOnly(req, res, next) {
    const user = req.user || basicUser(req, users);
    if (!user) {
      res.set('WWW-Authenticate', 'Basic realm="aibridge dashboard", charset="UTF-8"').status(401).json({
        error: { message: 'Authentication required: log in with a demo user id and its token (HTTP Basic), or send `Authorization: Bearer <token>`.', type: 'authentication_error', code: 'unauthorized' },
      });
      return;
    }
    if (!user.admin) {
      res.status(403).json({ error: { message: `The usage dashboard is for admins; ${user.id} is not one.`, type: 'permission_error', code: 'forbidden' } });
      return;
    }
    next();
  };
}

/** The bridge's `actor`: who the request is for, as the recorder will see it. */
function actorFromUser(req) {
  return req.user && { id: req.user.id, metadata: { email: req.user.email } };
}

module.exports = { DEMO_USERS, loadUsers, authenticate, requireUser, requireAdmin, actorFromUser };
