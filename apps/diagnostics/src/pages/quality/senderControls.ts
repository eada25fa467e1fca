/**
 * The controls that teach adaptation, as small functions over the sender and transceiver APIs:
 * a bitrate cap (`maxBitrate`), a resolution scale (`scaleResolutionDownBy`) and a codec
 * preference (`setCodecPreferences`). Typed by the few members they touch, so the unit tests pass
 * in plain objects and the page passes the real RTCRtpSender/RTCRtpTransceiver.
 */
import { formatList } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';

export interface ParameterSender {
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

/** The sender's one encoding (no simulcast here), created when the browser lists none yet. */
function withFirstEncoding(parameters: RTCRtpSendParameters, change: (encoding: RTCRtpEncodingParameters) => void): RTCRtpSendParameters {
  // Firefox reports no encodings until negotiation; setParameters accepts one then.
  if (parameters.encodings.length === 0) parameters.encodings.push({});
  const first = parameters.encodings[0];
  if (first) change(first);
  return parameters;
}

/**
 * Caps the encoder at `kbps` (undefined: no cap). Takes effect at once, without renegotiation:
 * the encoder aims under the cap, so the measured outbound bitrate drops within a second or two.
 */
export async function setBitrateCap(sender: ParameterSender, kbps: number | undefined): Promise<void> {
  if (kbps !== undefined && !(Number.isFinite(kbps) && kbps > 0)) {
    throw new RangeError(m.quality_error_cap_range({ value: String(kbps) }));
  }
  const parameters = withFirstEncoding(sender.getParameters(), (encoding) => {
    if (kbps === undefined) delete encoding.maxBitrate;
    else encoding.maxBitrate = Math.round(kbps * 1000);
  });
  await sender.setParameters(parameters);
}

/** Sends the video `scale` times smaller in each dimension (1 = as captured). */
export async function setResolutionScale(sender: ParameterSender, scale: number): Promise<void> {
  if (!(Number.isFinite(scale) && scale >= 1)) {
    throw new RangeError(m.quality_error_scale_range({ value: String(scale) }));
  }
  await sender.setParameters(withFirstEncoding(sender.getParameters(), (encoding) => (encoding.scaleResolutionDownBy = scale)));
}

/** The resolution scales offered: what `scaleResolutionDownBy` does to a 640×480 camera. */
export const RESOLUTION_SCALES: readonly { value: number; label: string }[] = [
  { value: 1, label: m.quality_scale_as_captured() },
  { value: 1.5, label: '1.5' },
  { value: 2, label: m.quality_scale_half() },
  { value: 4, label: '4' },
];

/** Codecs that repair or carry others rather than encode video: kept, never offered as a choice. */
const HELPER_CODECS = new Set(['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03']);

export interface CodecChoice {
  /** The mime type, e.g. "video/VP9": the select's value. */
  mimeType: string;
  /** E.g. "VP9". */
  label: string;
}

/** The video codecs a browser can send, once each, in its own order of preference. */
export function codecChoices(capabilities: { codecs: RTCRtpCodec[] } | null | undefined): CodecChoice[] {
  const seen = new Set<string>();
  const choices: CodecChoice[] = [];
  for (const codec of capabilities?.codecs ?? []) {
    const mimeType = codec.mimeType;
    const key = mimeType.toLowerCase();
    if (HELPER_CODECS.has(key) || seen.has(key)) continue;
    seen.add(key);
    choices.push({ mimeType, label: mimeType.replace(/^video\//i, '') });
  }
  return choices;
}

/**
 * The capabilities' codecs reordered so every variant of `mimeType` (H.264 has several profiles)
 * comes first; the rest, helpers included, keep their order after it. The answerer then picks the
 * preferred codec as long as it supports it, and falls back to the others if not.
 */
export function preferredCodecOrder(codecs: readonly RTCRtpCodec[], mimeType: string): RTCRtpCodec[] {
  const wanted = mimeType.toLowerCase();
  const preferred = codecs.filter((codec) => codec.mimeType.toLowerCase() === wanted);
  if (preferred.length === 0) {
    throw new RangeError(m.quality_error_codec_unsupported({ codec: mimeType, choices: formatList(codecChoices({ codecs: [...codecs] }).map((c) => c.label)) }));
  }
  return [...preferred, ...codecs.filter((codec) => codec.mimeType.toLowerCase() !== wanted)];
}
