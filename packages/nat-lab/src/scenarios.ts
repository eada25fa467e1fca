/** The three rows: which NAT each site sits behind, and whose diagnostics the row shows. */
import type { NatKind, Side } from './plan.js';

export interface Scenario {
  id: 'endpoint-independent' | 'symmetric' | 'udp-blocked';
  title: string;
  nat: Record<Side, NatKind>;
  /** The side /diagnostics/ice/ runs on: the one whose network the verdict is about. */
  diagnosticsSide: Side;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'endpoint-independent', title: 'both behind endpoint-independent NAT', nat: { a: 'endpoint-independent', b: 'endpoint-independent' }, diagnosticsSide: 'a' },
  { id: 'symmetric', title: 'both behind symmetric NAT', nat: { a: 'endpoint-dependent', b: 'endpoint-dependent' }, diagnosticsSide: 'a' },
  { id: 'udp-blocked', title: 'one side UDP blocked', nat: { a: 'endpoint-independent', b: 'udp-blocked' }, diagnosticsSide: 'b' },
];
