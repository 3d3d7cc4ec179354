/** What the offline model (the fake upstream) does with the demo MCP server's tools: when it calls them, and with what. */
'use strict';

/** Text between the first pair of double quotes, else the whole question: `count the words in "a b c"` → `a b c`. */
function quotedOrAll(question) {
  const m = /"([^"]+)"/.exec(question);
  return m ? m[1] : question;
}

/**
 * The fake's `toolCalls` option: tool names as the model sees them (`bmcp_<server>_<tool>`, server `demo`). Each call
 * is answered by the bridge, which runs the tool; the fake's next turn quotes the result.
 */
const DEMO_TOOL_CALLS = [
  { tool: 'bmcp_demo_server_time', when: /\btime\b/i },
  { tool: 'bmcp_demo_word_count', when: /\bcount\b.*\bwords?\b|\bhow many words\b/i, arguments: (question) => ({ text: quotedOrAll(question) }) },
];

module.exports = { DEMO_TOOL_CALLS };
