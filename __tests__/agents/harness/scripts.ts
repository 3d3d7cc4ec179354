/** Scripted fake-model turns shared by the agent scenarios: find tool results in each API's conversation shape. */

/** The text of the `tool_result` block answering `toolUseId` in an Anthropic Messages body, if any. */
export function anthropicToolResult(body: any, toolUseId: string): string | undefined {
  for (const message of body?.messages ?? []) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (block.type !== 'tool_result' || block.tool_use_id !== toolUseId) continue;
      if (typeof block.content === 'string') return block.content;
      return (block.content ?? []).map((c: any) => c.text ?? '').join('');
    }
  }
  return undefined;
}

/** The output of the `function_call_output` item answering `callId` in a Responses body, if any. */
export function responsesToolResult(body: any, callId: string): string | undefined {
  for (const item of Array.isArray(body?.input) ? body.input : []) {
    if (item.type !== 'function_call_output' || item.call_id !== callId) continue;
    return typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
  }
  return undefined;
}

/** The content of the `tool` message answering `callId` in a chat-completions body, if any. */
export function chatToolResult(body: any, callId: string): string | undefined {
  for (const message of body?.messages ?? []) {
    if (message.role !== 'tool' || message.tool_call_id !== callId) continue;
    return typeof message.content === 'string' ? message.content : (message.content ?? []).map((c: any) => c.text ?? '').join('');
  }
  return undefined;
}

/** True when the request offers a tool of that name (any API's tool shape). */
export function offersTool(body: any, name: string): boolean {
  return (body?.tools ?? []).some((t: any) => t.name === name || t.function?.name === name);
}

/** The names of the tools offered (any API's tool shape). */
export function toolNames(body: any): string[] {
  return (body?.tools ?? []).map((t: any) => t.name ?? t.function?.name ?? t.type);
}
