/** The example's MCP tools: servers from `MCP_SERVERS`, plus the local demo server in offline mode, as one injector. */
'use strict';

const path = require('node:path');

/** The servers listed in `MCP_SERVERS` (a JSON array of mcpToolInjector server entries); none when unset or empty. */
function parseMcpServers(text) {
  if (text === undefined || text.trim() === '') return [];
  let servers;
  try {
    servers = JSON.parse(text);
  } catch (err) {
    throw new Error(`MCP_SERVERS is not valid JSON (${err.message}); expected an array such as [{"name":"deepwiki","url":"https://mcp.deepwiki.com/mcp"}].`);
  }
  if (!Array.isArray(servers)) throw new Error('MCP_SERVERS must be a JSON array of servers, e.g. [{"name":"deepwiki","url":"https://mcp.deepwiki.com/mcp"}].');
  return servers;
}

/** The local stdio demo server, run with this Node binary (no shell, nothing from PATH). */
const DEMO_SERVER = { name: 'demo', command: process.execPath, args: [path.join(__dirname, 'demo-mcp-server.js')] };

/** The injector for `servers` (plus the demo server when `withDemo`), or undefined when there are none. */
function createTools({ mcpToolInjector, servers, withDemo }) {
  const all = withDemo ? [...servers, DEMO_SERVER] : servers;
  return all.length === 0 ? undefined : mcpToolInjector({ servers: all });
}

module.exports = { parseMcpServers, createTools };
