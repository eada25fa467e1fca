/**
 * @workbench/ui: the Svelte 5 pieces both apps share (layout and navigation, event log, source
 * panel, error explanation, status badge, room link, the note that a peer left), the
 * small app helpers every page needs (core logger → event log, file download, live objects on
 * window, the latest-run AbortSignal, chunks loaded after the first paint, a video's srcObject, source text for the source panels), the one list of pages and what each teaches. Consumed as source by the
 * apps' Vite builds; never imports an app.
 */
export { default as Layout } from './Layout.svelte';
export { default as EventLog } from './EventLog.svelte';
export { default as SourcePanel } from './SourcePanel.svelte';
export { default as ErrorPanel } from './ErrorPanel.svelte';
export { default as StatusBadge } from './StatusBadge.svelte';
export { default as RoomLink } from './RoomLink.svelte';
export { default as PeerNote } from './PeerNote.svelte';
export { logTo } from './logTo.js';
export type { LogSink, LogToOptions } from './logTo.js';
export { downloadFile } from './download.js';
export { LatestRun } from './latest.js';
export { Later } from './later.svelte.js';
export { srcObject } from './srcObject.js';
export { exposeOnWindow } from './windowObjects.js';
export type { WindowObjects } from './windowObjects.js';
export { chooseRoom, randomRoomName, showRoomInAddressBar, urlWithRoom } from './room.js';
export type { RoomChoice } from './room.js';
export { EventLogModel, DEFAULT_LOG_LIMIT, formatEntry, formatTime } from './eventLog.svelte.js';
export type { EventLogOptions, LogEntry, LogLevel } from './eventLog.svelte.js';
export { loadSources } from './sources.js';
export { reloadWhenRestored } from './pageShow.js';
export { ROOM_CALL_TONE, roomCallStatusWords } from './roomCallStatus.js';
export { extractDeclaration } from './extractDeclaration.js';
export type { ExtractedDeclaration } from './extractDeclaration.js';
export {
  DIAGNOSTICS_HOME,
  DIAGNOSTICS_PAGES,
  SITE_TITLE,
  STEPS_HOME,
  STEP_PAGES,
  homeOf,
  neighbours,
  normalisePath,
  pageAt,
  pagesOf,
} from './pages.js';
export type { PageInfo, SiteName } from './pages.js';
export { teachesOf } from './teaches.js';
export type { BadgeTone, ErrorExplanation } from './types.js';
