/** How the page follows each of its two channels: readyState in the log and on a badge. */
import { m } from '@workbench/i18n/messages';
import type { BadgeTone, LogSink } from '@workbench/ui';

export type ChannelState = RTCDataChannelState | 'none';

export const STATE_TONE: Record<ChannelState, BadgeTone> = {
  none: 'neutral',
  connecting: 'info',
  open: 'success',
  closing: 'warning',
  closed: 'neutral',
};

/** A readyState as the badges show it: the API's word in English, explained in Chinese. */
export function stateLabel(state: ChannelState): string {
  switch (state) {
    case 'none':
      return m.dc_no_channel();
    case 'connecting':
      return m.dc_state_connecting();
    case 'open':
      return m.dc_state_open();
    case 'closing':
      return m.dc_state_closing();
    case 'closed':
      return m.dc_state_closed();
  }
}

const STATE_EVENTS = ['open', 'closing', 'close'] as const;

/**
 * Follows a channel's readyState until it is closed: `onState` gets the state now and after each
 * change, which is also logged under `name`; `onClose` hears the 'close' event itself. Not torn
 * down by Stop, so the display reaches "closed".
 * Channels in `closedByStop` were closed by the page itself: their late error events are not failures.
 */
export function watchChannel(channel: RTCDataChannel, name: string, log: LogSink, closedByStop: WeakSet<RTCDataChannel>, onState: (state: RTCDataChannelState) => void, onClose: () => void): void {
  onState(channel.readyState);
  const onChange = (event: Event): void => {
    log.info(m.dc_log_ready_state({ state: channel.readyState }), name);
    if (event.type === 'close') {
      for (const type of STATE_EVENTS) channel.removeEventListener(type, onChange);
      channel.removeEventListener('error', onError);
    }
    onState(channel.readyState);
    if (event.type === 'close') onClose();
  };
  const onError = (event: Event): void => {
    const detail = (event as RTCErrorEvent).error;
    const text = `${detail?.message ?? m.dc_unknown()}${detail?.errorDetail ? ` (${detail.errorDetail})` : ''}`;
    // Closing one end aborts the SCTP stream under the other, which reports it as an error; for
    // a channel Stop closed that is the expected goodbye, and it may arrive after the next Start.
    if (closedByStop.has(channel)) log.info(m.dc_log_closed_by_stop({ text }), name);
    else log.error(m.dc_log_channel_error({ text }), name);
  };
  for (const type of STATE_EVENTS) channel.addEventListener(type, onChange);
  channel.addEventListener('error', onError);
}

const encoder = new TextEncoder();

/** A message's size in bytes as it travels: UTF-8 for text, the buffer or blob size for binary. */
export function messageSize(data: unknown): number {
  if (typeof data === 'string') return encoder.encode(data).byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (data instanceof Blob) return data.size;
  return 0;
}
