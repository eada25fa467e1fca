// The audio page's live objects on `window`, for the console: `audioCheck.reading`,
// `audioCheck.hear.pc1`, `audioCheck.applied`.
import type { LevelMeter, LevelReading } from '@workbench/core/audio-level';
import type { HearYourself } from './hearYourself.js';
import type { Processing } from './processing.js';

declare global {
  interface Window {
    audioCheck?: {
      stream: MediaStream | null;
      context: AudioContext | null;
      /** What the error panel shows, if anything. */
      error: { title: string; code?: string } | null;
      meter: LevelMeter | null;
      /** The meter's latest figures and verdict (updated ten times a second). */
      reading: LevelReading | null;
      /** The microphone track's getSettings(). */
      applied: MediaTrackSettings | null;
      /** The processing asked for. */
      processing: Processing;
      comparisons: { settings: string; rmsDbfs: number; peakDbfs: number; verdict: string }[];
      hear: HearYourself | null;
      hearFigures: { pathMs?: number | undefined; totalMs?: number | undefined; addedMs: number; played?: LevelReading | undefined };
      speakers: { sinkSupported: boolean; selectOutputSupported: boolean; outputs: number; toneState: string };
    };
  }
}

export {};
