/** The bridge the agents talk to: both providers in front of the fake upstream, an MCP tool to inject, an egress recorder. */
import { anthropicProvider, bedrockProvider, mcpToolInjector, openaiProvider } from '../../../lib';
import { ACCESS_KEYS, startFakeBedrock, type FakeBedrock } from '../../helpers/bedrock-upstream';
import type { Behaviour, FakeUpstream } from '../../helpers/fake-openai';
import { startFakeOpenAI } from '../../helpers/fake-openai';
import { startGateway, type Gateway } from '../../helpers/gateway';
import type { McpHttpHost } from '../../helpers/mcp-http-host';
import { startZooHttp, type ToolZoo } from '../../helpers/mcp-test-server';
import { startEgressRecorder, type EgressRecorder } from './egress-recorder';

/** The bridge user the agents authenticate as (a user token of `TEST_USERS`, never a provider key). */
export const AGENT_USER = { token: 'user-token-alice', id: 'alice' };

/** The Bedrock model ids the rig's `bedrock` provider maps Claude Code's models to. */
export const BEDROCK_MODELS = { main: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', smallFast: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' };

/** The injected tool as the model sees it: the zoo's `add`, through `mcpToolInjector`. */
export const INJECTED_TOOL = 'bmcp_zoo_add';

export interface AgentRig {
  gw: Gateway;
  upstream: FakeUpstream;
  /** A fake Bedrock runtime answering from `upstream` (its scripts too), behind the `bedrock` provider. */
  bedrock: FakeBedrock;
  zoo: ToolZoo;
  mcp: McpHttpHost;
  egress: EgressRecorder;
  /** Scripts the fake upstream: each behaviour answers its own API and falls through (`'default'`) for the rest. */
  script(...behaviours: Behaviour[]): void;
  /** Forgets the previous scenario's requests, records and egress attempts. */
  reset(): void;
  close(): Promise<void>;
}

export async function startAgentRig(): Promise<AgentRig> {
  const upstream = await startFakeOpenAI();
  const { zoo, host: mcp } = await startZooHttp();
  const egress = await startEgressRecorder();
  const bedrock = await startFakeBedrock({ credentials: [ACCESS_KEYS], upstream });
  const gw = await startGateway({
    providers: [
      openaiProvider({ keys: ['sk-agents-openai-pool-0001'], baseURL: upstream.url }),
      anthropicProvider({ keys: ['sk-ant-agents-pool-0001'], baseURL: upstream.origin }),
      bedrockProvider({ region: 'us-east-1', baseURL: bedrock.url, credentials: ACCESS_KEYS, model: BEDROCK_MODELS.main, smallFastModel: BEDROCK_MODELS.smallFast }),
    ],
    tools: mcpToolInjector({ servers: [{ name: 'zoo', url: mcp.url }], allow: /^add$/ }),
  });
  return {
    gw, upstream, bedrock, zoo, mcp, egress,
    script(...behaviours) {
      upstream.behaviour = async (req, res) => {
        for (const behaviour of behaviours) {
          const outcome = await behaviour(req, res);
          if (outcome !== 'default') return outcome;
        }
        return 'default';
      };
    },
    reset() {
      upstream.requests.length = 0;
      upstream.behaviour = undefined;
      bedrock.requests.length = 0;
      gw.recorder.clear();
      egress.attempts.length = 0;
      zoo.state.calls.length = 0;
    },
    async close() {
      await gw.close();
      await bedrock.close();
      await Promise.all([upstream.close(), mcp.close(), egress.close()]);
    },
  };
}
