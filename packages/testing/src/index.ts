/**
 * @workbench/testing: the test harness every package's tests share. It finds and launches the system
 * browsers with fake media, starts the real server and, when a test needs them, coturn and Redis on
 * loopback; everything it starts is stopped in teardown and, failing that, when the process exits.
 */
export { HarnessError, HarnessErrorCode } from './errors.js';
export {
  CHROMIUM,
  COTURN,
  FIREFOX,
  NGINX,
  REDIS,
  findChromium,
  findExecutable,
  findFirefox,
  findNginx,
  findRedisServer,
  findTurnserver,
  whichSync,
  type FoundExecutable,
  type SystemProgram,
} from './executables.js';
export { chromiumArgs, firefoxPrefs, launchChromium, launchFirefox, type LaunchChromiumOptions, type LaunchFirefoxOptions } from './browsers.js';
export { CSP_PREFIX, openPage, refuseRequests, waitForVideoPlaying, type DialogRecord, type OpenPageOptions, type OpenedPage, type RefusedRequests, type VideoState } from './pages.js';
export { BUILT_APPS, REPO_ROOT, startWorkbench, type Workbench, type WorkbenchOptions } from './workbench.js';
export { startCoturn, turnRestCredentials, type CoturnServer, type StartCoturnOptions, type TurnUser } from './coturn.js';
export { redisCommand, startRedis, type RedisServer } from './redis.js';
export { startRedisCluster, type RedisCluster, type RedisClusterNode } from './redis-cluster.js';
export { turnAllocate, type TurnAllocateOptions, type TurnAllocation } from './turn-client.js';
export { stunBinding, decodeBindingResponse, encodeBindingRequest, type StunBindingOptions, type StunMappedAddress } from './stun.js';
export { freeTcpPort, freeTcpUdpPort, freeUdpPortRange } from './ports.js';
export { makeTempDir, spawnManaged, waitUntilReady, type ExitInfo, type ManagedProcess } from './processes.js';
export { FIXTURES } from './fixtures.js';
export { startSourceAddressProxy, type SourceAddressProxy } from './source-address-proxy.js';
export {
  VIEWPORTS,
  clearScreenshots,
  clippedContent,
  cutTables,
  factBoxes,
  firstControl,
  headerRows,
  logLines,
  logView,
  isUnreachableStunLine,
  repeatedLines,
  saveScreenshot,
  squeezedFacts,
  waitForLogToFollow,
  type FactBox,
  type LogLine,
  type LogView,
  type ViewportName,
} from './layout.js';
export { axeFindings, type AxeFindings, type AxeViolation } from './axe.js';
export { englishLeft, keptInEnglish, readTexts, untranslatedWords, type ReadText } from './language.js';
