/**
 * The parts of a run's report that are computed from what the checks saw, kept out of the
 * reactive model so they are unit-tested: NAT mapping from the shared gathering.
 */
import {
  iceServerEndpoint,
  inferNatMapping,
  parseIceServerUrl,
  parseObservedCandidate,
  type IcePolicy,
  type IceReport,
  type MappingObservation,
  type NatMapping,
} from '@workbench/core/ice-diagnostics';
import { classifyAddress } from '@workbench/core/ice';

/** Now, as the report's `createdAt`. */
export function timestamp(): string {
  return new Date().toISOString();
}

function endpointOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return iceServerEndpoint(parseIceServerUrl(url));
  } catch {
    return undefined;
  }
}

/**
 * NAT mapping from the shared gathering: the srflx each server produced there (their URLs say
 * which), and whether its own check got an answer. TURN servers over UDP answer Binding
 * requests too, so they count as STUN servers here.
 */
export function natMappingOf(checks: IceReport['checks'], gathering: IceReport['gathering'], policy: IcePolicy): NatMapping {
  if (policy === 'relay') {
    return {
      behaviour: 'unknown',
      conclusion: 'unknown',
      title: 'NAT mapping: not tested with the relay-only policy',
      detail: 'The relay-only policy gathers no srflx candidates. Choose "all" to compare the mappings STUN servers see.',
      servers: [],
    };
  }
  if (!gathering || gathering.status === 'failed' || gathering.status === 'skipped') {
    return {
      behaviour: 'unknown',
      conclusion: 'unknown',
      title: 'NAT mapping: not tested',
      detail: `The gathering with all servers together did not run to the end${gathering?.note ? ` (${gathering.note})` : ''}, so there are no mappings to compare.`,
      servers: [],
    };
  }
  const byEndpoint = new Map<string, MappingObservation>();
  for (const check of checks) {
    if (check.transport !== 'udp') continue;
    const server = endpointOf(check.url);
    if (!server) continue;
    const verdict = check.verdict;
    // An error response (300–699) is an answer too; a 701 or the budget running out is not.
    const answered =
      verdict?.kind === 'reachable' ||
      verdict?.kind === 'relay-allocated' ||
      verdict?.kind === 'auth-failed' ||
      (verdict?.kind === 'error' && verdict.errorCode !== undefined && verdict.errorCode < 700);
    const host = parseIceServerUrl(check.url).host;
    const family = classifyAddress(host).family;
    const known = byEndpoint.get(server);
    byEndpoint.set(server, {
      server,
      answered: answered || (known?.answered ?? false),
      ...(family === 'ipv4' || family === 'ipv6' ? { family } : {}),
      mapped: [],
    });
  }
  const hostAddresses: string[] = [];
  for (const observed of gathering.candidates) {
    const parsed = parseObservedCandidate(observed);
    if (!parsed) continue;
    if (parsed.type === 'host' && classifyAddress(parsed.address).kind !== 'mdns') hostAddresses.push(parsed.address);
    if (parsed.type !== 'srflx') continue;
    const observation = byEndpoint.get(endpointOf(observed.url) ?? '');
    observation?.mapped.push({
      address: parsed.address,
      port: parsed.port,
      ...(parsed.relatedAddress !== undefined ? { relatedAddress: parsed.relatedAddress } : {}),
      ...(parsed.relatedPort !== undefined ? { relatedPort: parsed.relatedPort } : {}),
    });
  }
  return inferNatMapping([...byEndpoint.values()], { hostAddresses });
}
