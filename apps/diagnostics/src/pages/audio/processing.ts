/** The three processing constraints the page toggles, what each does, and a one-line description of a set of them. */
import { m } from '@workbench/i18n/messages';

export type ProcessingKey = 'echoCancellation' | 'noiseSuppression' | 'autoGainControl';
export type Processing = Record<ProcessingKey, boolean>;

/** `label` is a function: the page's language is read when the label is shown, not when this module loads. */
export const PROCESSING: Readonly<Record<ProcessingKey, { label: () => string; short: string }>> = {
  echoCancellation: { label: () => m.audio_processing_echo_cancellation(), short: 'EC' },
  noiseSuppression: { label: () => m.audio_processing_noise_suppression(), short: 'NS' },
  autoGainControl: { label: () => m.audio_processing_auto_gain_control(), short: 'AGC' },
};

/** "on" / "off" in the page's language ("开" / "关"). */
export function onOff(value: boolean): string {
  return value ? m.audio_on() : m.audio_off();
}

/**
 * "EC on, NS off, AGC on" from a track's settings (or the constraints asked for). A setting the
 * browser does not report is "?": Firefox and Safari leave some out, and "off" would be a guess.
 */
export function describeProcessing(settings: Partial<Record<ProcessingKey, unknown>>): string {
  return (Object.keys(PROCESSING) as ProcessingKey[])
    .map((key) => {
      const value = settings[key];
      return `${PROCESSING[key].short} ${typeof value === 'boolean' ? onOff(value) : '?'}`;
    })
    .join(m.audio_list_separator());
}
