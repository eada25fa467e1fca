// What the quality page puts on `window` for the console and the browser tests, as webrtc/samples
// does: the connections themselves (not the Peer wrappers), so what a person types matches MDN.
// `window.samples` is a getter returning a frozen copy of the charted samples.
import type { SignalingClient } from '@workbench/core/signaling-client';
import type { StatsSample } from '@workbench/core/stats';
import type { Chart } from 'chart.js';
import type { QualityTimeline } from './qualityTimeline.js';

declare global {
  interface Window {
    pc1?: RTCPeerConnection | undefined;
    pc2?: RTCPeerConnection | undefined;
    pc?: RTCPeerConnection | undefined;
    stream?: MediaStream | undefined;
    socket?: SignalingClient['socket'] | undefined;
    readonly samples?: readonly StatsSample[];
    quality?: {
      charts: Record<string, Chart<'line', { x: number; y: number | null }[]>>;
      timeline: QualityTimeline;
      pollCost(): { getStatsMs: number[]; processMs: number[]; renderMs: number[] };
    };
  }
}
