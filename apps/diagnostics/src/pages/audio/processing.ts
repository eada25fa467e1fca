/** The three processing constraints the page toggles, what each does, and a one-line description of a set of them. */

export type ProcessingKey = 'echoCancellation' | 'noiseSuppression' | 'autoGainControl';
export type Processing = Record<ProcessingKey, boolean>;

export const PROCESSING: Readonly<Record<ProcessingKey, { label: string; short: string }>> = {
  echoCancellation: { label: 'Echo cancellation', short: 'EC' },
  noiseSuppression: { label: 'Noise suppression', short: 'NS' },
  autoGainControl: { label: 'Automatic gain control', short: 'AGC' },
};

/**
 * "EC on, NS off, AGC on" from a track's settings (or the constraints asked for). A setting the
 * browser does not report is "?": Firefox and Safari leave some out, and "off" would be a guess.
 */
export function describeProcessing(settings: Partial<Record<ProcessingKey, unknown>>): string {
  return (Object.keys(PROCESSING) as ProcessingKey[])
    .map((key) => {
      const value = settings[key];
      return `${PROCESSING[key].short} ${value === true ? 'on' : value === false ? 'off' : '?'}`;
    })
    .join(', ');
}
