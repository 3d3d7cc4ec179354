/** The prepare stage: which central tools this request offers the model (none without a host injector or an API that takes tools). */
import { errorMessage } from '../observability/logger';
import type { InjectedTool } from '../tools/types';
import type { Interception } from './interception';

const NO_TOOLS: readonly InjectedTool[] = [];
const NO_NAMES: readonly string[] = [];

/** The tools to inject into `ix`: none when listing them failed. Without tools to offer nothing is awaited. */
export function offerTools(ix: Interception): readonly InjectedTool[] | Promise<readonly InjectedTool[]> {
  return ix.bridge.tools && ix.call.takesTools !== false ? listOffered(ix) : NO_TOOLS;
}

async function listOffered(ix: Interception): Promise<readonly InjectedTool[]> {
  const { bridge, call } = ix;
  try {
    const tools = await bridge.tools!.listTools(ix.toolContext);
    return Array.isArray(tools) ? bridge.offeredTools!.select(tools, call.clientToolNames?.() ?? NO_NAMES, ix) : NO_TOOLS;
  } catch (err) {
    // Serving the request without the central tools beats failing it.
    ix.logger.warn('listing injected tools failed; relaying without them', { provider: ix.providerName, error: errorMessage(err) });
    return NO_TOOLS;
  }
}
