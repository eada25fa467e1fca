/**
 * @workbench/cluster: several signaling server processes behind a real nginx. The site template in
 * deploy/nginx-workbench.conf is what a deployment starts from; `startCluster()` runs it on loopback
 * with redis-server and N processes (npm run cluster, and the tests).
 */
export {
  ACCESS_LOG_FORMAT,
  NGINX_TEMPLATE_PATH,
  STICKY_DIRECTIVE,
  mainConfig,
  parseAccessLog,
  siteConfig,
  type AccessLogEntry,
  type MainConfigOptions,
  type SiteConfigOptions,
} from './nginx-config.js';
export {
  SERVER_CLI,
  httpGet,
  missingProgramsLine,
  startCluster,
  startNginx,
  startServerProcess,
  type Cluster,
  type ClusterOptions,
  type HttpAnswer,
  type NginxProxy,
  type ServerProcess,
  type StartNginxOptions,
  type StartServerProcessOptions,
} from './cluster.js';
