/** The example's tiny MCP server over stdio (started by the app in offline mode as server `demo`): `server_time` and `word_count`. */
'use strict';

// The SDK's CommonJS build, so plain `node` runs this file; the SDK and zod come with express-aibridge.
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = require('@modelcontextprotocol/sdk/server/stdio.js');
const { z } = require('zod');

const server = new McpServer({ name: 'aibridge-example-demo', version: '1.0.0' });

server.registerTool('server_time', { description: 'The current date and time on the server, as ISO 8601 (UTC).' }, async () => ({
  content: [{ type: 'text', text: new Date().toISOString() }],
}));

server.registerTool(
  'word_count',
  { description: 'Counts the words of a text.', inputSchema: { text: z.string().describe('The text to count') } },
  async ({ text }) => ({ content: [{ type: 'text', text: String(text.split(/\s+/).filter(Boolean).length) }] }),
);

// stdout carries the protocol; anything else goes to stderr, which the bridge logs at debug level.
server.connect(new StdioServerTransport()).catch((err) => {
  console.error(err);
  process.exit(1);
});
