/**
 * The one way the app reaches a process engine: Camunda's REST API through @camunda8/sdk. In embedded mode the
 * address is this server's own /v2 with the engine's credentials; in camunda mode it is the cluster.
 */
import { Camunda8 } from '@camunda8/sdk';
import { translateToOcaEnvOverrides } from '@camunda8/sdk/dist/lib/CamundaClientConfigTranslator';
import { createCamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { inProcessFetch, type Dispatch, type DirectRoutes } from './in-process-fetch';
import type { Config } from './config';
import type { Secrets } from './secrets';

export type EngineClient = ReturnType<Camunda8['getOrchestrationClusterApiClientLoose']>;

/**
 * `inProcess`: in embedded mode, this process's own HTTP handler (and the engine API's direct handler for its JSON
 * routes). The client is then the same SDK client with the same configuration, but its requests are handed to that
 * handler in process (see in-process-fetch) instead of being sent to `ownUrl` over loopback. Tests and other
 * processes leave it out and talk HTTP.
 */
export function createEngineClient(
  config: Config,
  secrets: Secrets,
  ownUrl: string,
  inProcess?: { dispatch: Dispatch; direct?: DirectRoutes },
): { client: EngineClient; camunda: Camunda8 } {
  const embedded = config.ENGINE === 'embedded';
  const options = {
    ZEEBE_REST_ADDRESS: embedded ? ownUrl : config.ZEEBE_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: embedded
      ? 'BASIC'
      : config.CAMUNDA_AUTH_STRATEGY === 'BEARER'
        ? 'OAUTH'
        : config.CAMUNDA_AUTH_STRATEGY,
    CAMUNDA_BASIC_AUTH_USERNAME: embedded ? config.ENGINE_API_USERNAME : config.CAMUNDA_BASIC_AUTH_USERNAME,
    CAMUNDA_BASIC_AUTH_PASSWORD: embedded ? secrets.engineApiPassword : config.CAMUNDA_BASIC_AUTH_PASSWORD,
    CAMUNDA_OAUTH_URL: config.CAMUNDA_OAUTH_URL,
    ZEEBE_CLIENT_ID: config.CAMUNDA_CLIENT_ID,
    ZEEBE_CLIENT_SECRET: config.CAMUNDA_CLIENT_SECRET,
    CAMUNDA_TOKEN_DISK_CACHE_DISABLE: true,
    CAMUNDA_LOG_LEVEL: 'error',
    ...(config.CAMUNDA_TOKEN_AUDIENCE ? { ZEEBE_TOKEN_AUDIENCE: config.CAMUNDA_TOKEN_AUDIENCE } : {}),
  } as const;
  const camunda = new Camunda8(options);
  if (embedded && inProcess) {
    // What getOrchestrationClusterApiClientLoose builds (the SDK's own translation of its configuration), with the
    // one option that method does not pass on: the fetch. The SDK's adaptive concurrency gate only observes here
    // (LEGACY): it is made for a cluster's backpressure, but this engine answers 503 RESOURCE_EXHAUSTED also while
    // the database is away, and the gate then shrinks to one call at a time and grows back by one a second, while the
    // workers' long polls hold its places: a petition's process start waited some 10 s after the database was back.
    // Overload of this process is refused by the app itself (MAX_REQUESTS_IN_FLIGHT), and failed calls are still
    // retried with back-off by the SDK.
    const config = {
      ...translateToOcaEnvOverrides({ sdkConfig: options }),
      CAMUNDA_SDK_BACKPRESSURE_PROFILE: 'LEGACY' as const,
    };
    const client = createCamundaClientLoose({ config, fetch: inProcessFetch(inProcess.dispatch, inProcess.direct) });
    return { client, camunda };
  }
  const client = camunda.getOrchestrationClusterApiClientLoose();
  return { client, camunda };
}

/**
 * What the app's searches and gets ask for: what the engine has now, without waiting for more. The SDK makes each
 * eventually consistent call take consistency options; given `{ waitUpToMs: 0 }` it calls once, as it does without
 * any, but first re-reads its whole configuration from the environment (hydrateConfig: a tenth of the SDK's own time
 * per call, and garbage). So the options are left out: the same single call (tests/unit/engine-client.test.ts holds
 * the SDK to that).
 */
export const NOW = {} as { consistency: { waitUpToMs: 0 } };

/**
 * Starts a process at most once per key: when an instance already carries the variable `once.name` with the value
 * `once.value` (a start whose answer was lost, a retry after a crash), its key is returned instead of a second one.
 */
export async function startProcessOnce(
  client: EngineClient,
  processDefinitionId: string,
  variables: Record<string, unknown>,
  once: { name: string; value: string },
  /** true when no start was ever attempted for this value: nothing can exist yet, so there is nothing to look for. */
  firstAttempt = false,
): Promise<string> {
  if (!firstAttempt) {
    const found = await client.searchVariables(
      { filter: { name: once.name, value: JSON.stringify(once.value) }, page: { limit: 1 } },
      NOW,
    );
    const existing = found.items?.[0]?.processInstanceKey;
    if (existing) return String(existing);
  }
  const created = await client.createProcessInstance({
    processDefinitionId,
    variables: { ...variables, [once.name]: once.value },
  });
  return String(created.processInstanceKey);
}
