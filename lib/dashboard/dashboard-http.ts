/** The dashboard's response helpers: security headers on every response, JSON bodies, error shapes. */
import type { Request, Response } from 'express';

// No inline script or style anywhere: the page's own code and Chart.js are files served by the router.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers sent on every response of the dashboard, whatever its status. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export function setSecurityHeaders(res: Response): void {
  res.set(SECURITY_HEADERS);
}

/** Usage data must never sit in a shared or browser cache. */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** The package's error shape (`{"error":{"message","type","code"}}`, all three keys always present). */
export function sendError(res: Response, status: number, type: string, code: string | null, message: string): void {
  sendJson(res, status, { error: { message, type, code } });
}

/** `405` with the methods the path does answer (an Express handler). */
export function sendMethodNotAllowed(_req: Request, res: Response): void {
  res.set('Allow', 'GET, HEAD');
  sendError(res, 405, 'invalid_request_error', 'method_not_allowed', 'Only GET and HEAD are allowed here.');
}
