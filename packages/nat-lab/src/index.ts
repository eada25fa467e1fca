/**
 * @workbench/nat-lab: real NATs built from Linux network namespaces, with Chromium behind them,
 * coturn and the signaling server in front, to test what /call/ and /diagnostics/ice/ do there;
 * and the quality lab on the same namespaces: known loss and rate caps on the router between two
 * sites, against what /diagnostics/quality/ reports (impairments.ts, quality-results.ts).
 */
export { DENIED_PEER_RANGES, LAB_ICE_URLS, labCoturnConfig, type LabCoturnConfigOptions } from './coturn-config.js';
export { LAB_ORIGINS, NatLab, waitFor, type LabSite } from './lab.js';
export { LabCommandError, destroyNamespace, listNamespaces, removeLabNamespaces, runCommand, runCommands, staleLabNamespaces } from './netns.js';
export {
  MAX_INTERFACE_NAME,
  NAT_KINDS,
  NAT_KIND_LABEL,
  PORTS,
  PUBLIC,
  addressesOf,
  interfaceNames,
  labOwnerOf,
  labPrefix,
  natRules,
  publicPlan,
  sitePlan,
  type Command,
  type NatKind,
  type PublicPlan,
  type Side,
  type SitePlan,
} from './plan.js';
export { ensureSbinOnPath, preflight, type Preflight } from './preflight.js';
export { RESULTS_PATH, type CallResult, type DiagnosticsResult, type LabResults, type MappingProbe, type PairView, type ScenarioResult, type TerminalResult } from './results.js';
export { SCENARIOS, type Scenario } from './scenarios.js';
export { describeCall, describeDiagnostics, describePair, formatTable } from './table.js';
export {
  Z_999,
  binomialInterval,
  capDevice,
  capQdisc,
  describeImpairment,
  impairmentCommands,
  lossBetween,
  lossRule,
  median,
  type Direction,
  type Impairment,
} from './impairments.js';
export { QUALITY_RESULTS_PATH, formatQualityTable, type LossFigure, type QualityLabResults, type QualityScenarioResult } from './quality-results.js';
