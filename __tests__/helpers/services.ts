/** Lets integration suites skip, visibly, when a local service (Redis, Postgres…) is not running — except in CI. */
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

const PROBE_TIMEOUT_MS = 500;

/** True when a TCP connection to host:port opens within 500 ms. */
export function serviceAvailable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS);
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

// jest collects `describe` blocks synchronously and CommonJS has no top-level await, so the suite-level
// probe runs the same check in a child process and waits for its exit code.
const PROBE_SCRIPT = `
const socket = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
socket.setTimeout(${PROBE_TIMEOUT_MS});
socket.once('connect', () => process.exit(0));
socket.once('timeout', () => process.exit(1));
socket.once('error', () => process.exit(1));
`;

/** Synchronous {@link serviceAvailable}, for deciding at collection time whether a suite runs. */
export function serviceAvailableSync(host: string, port: number): boolean {
  try {
    execFileSync(process.execPath, ['-e', PROBE_SCRIPT, host, String(port)], {
      stdio: 'ignore',
      timeout: PROBE_TIMEOUT_MS * 4,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` when the service is up, else `describe.skip` with the reason printed.
 * Under `CI=true` a missing service is a failure, not a skip, so CI cannot go green by accident.
 */
export function requireService(name: string, available: boolean): jest.Describe {
  if (available) return describe;
  if (process.env.CI === 'true') {
    console.warn(`${name} is not reachable; running its tests anyway because CI=true (they will fail).`);
    return describe;
  }
  console.warn(`Skipping ${name} integration tests: ${name} is not reachable (start it, or set CI=true to fail instead).`);
  return describe.skip;
}
