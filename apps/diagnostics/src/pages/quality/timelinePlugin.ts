/**
 * A small chart.js plugin that draws the call's timeline on every chart's time axis: shaded bands
 * where the encoder reported a qualityLimitationReason, and a marker line per event (state
 * changes, pair switches, codec/encoder/resolution changes), labelled on the charts that ask for
 * it. The layout is computed by pure functions, tested without a canvas; the plugin only paints.
 */
import type { Chart, ChartType, Plugin } from 'chart.js';
import type { QualityEventKind } from '@workbench/core/quality';

export interface TimelineMark {
  /** x value (seconds since the call's first sample). */
  x: number;
  kind: QualityEventKind;
  label: string;
}

export interface TimelineBand {
  from: number;
  to: number;
  reason: string;
}

export interface TimelineOptions {
  marks: TimelineMark[];
  bands: TimelineBand[];
  /** Write each mark's label (else only its line). */
  labels: boolean;
}

declare module 'chart.js' {
  // Merged declarations must repeat chart.js's type parameter, used or not.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    /** Read by timelinePlugin (the shape chart.js's docs give for a plugin's options). */
    qualityTimeline?: TimelineOptions;
  }
}

export const MARK_COLOURS: Readonly<Record<QualityEventKind, string>> = {
  connection: '#6b7280',
  ice: '#6b7280',
  'candidate-pair': '#0ea5e9',
  'quality-limitation': '#ea580c',
  codec: '#a855f7',
  encoder: '#a855f7',
  resolution: '#16a34a',
  control: '#db2777',
};

/** Fill per limitation reason, translucent so the lines stay visible through it. */
export const BAND_COLOURS: Readonly<Record<string, string>> = {
  bandwidth: 'rgba(234, 88, 12, 0.16)',
  cpu: 'rgba(220, 38, 38, 0.16)',
  other: 'rgba(107, 114, 128, 0.18)',
};

export interface Area {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Pixel rectangles of the bands, clipped to the plot area; bands entirely outside it are dropped. */
export function bandRects(bands: readonly TimelineBand[], toPixel: (x: number) => number, area: Area): { x: number; width: number; reason: string }[] {
  const rects: { x: number; width: number; reason: string }[] = [];
  for (const band of bands) {
    const from = Math.max(area.left, toPixel(band.from));
    const to = Math.min(area.right, toPixel(band.to));
    // A band one sample long still gets a visible sliver.
    if (to < area.left || from > area.right) continue;
    rects.push({ x: from, width: Math.max(2, to - from), reason: band.reason });
  }
  return rects;
}

export interface PlacedMark extends TimelineMark {
  px: number;
  /** Label row, 0 at the top; undefined when there is no room for the label. */
  row?: number;
}

/**
 * Marker positions, and label rows so labels do not overwrite each other: each label goes on the
 * first of `rows` rows whose previous label ends before it; with no free row it is left out (its
 * line still shows, and the event log lists it).
 */
export function placeMarks(
  marks: readonly TimelineMark[],
  toPixel: (x: number) => number,
  area: Area,
  options: { rows?: number; labelWidth: (label: string) => number },
): PlacedMark[] {
  const rows = options.rows ?? 3;
  const rowEnds = new Array<number>(rows).fill(-Infinity);
  const placed: PlacedMark[] = [];
  for (const mark of [...marks].sort((a, b) => a.x - b.x)) {
    const px = toPixel(mark.x);
    if (px < area.left || px > area.right) continue;
    const width = options.labelWidth(mark.label);
    const row = rowEnds.findIndex((end) => end + 4 <= px);
    if (row >= 0 && px + width <= area.right + width / 2) {
      rowEnds[row] = px + width;
      placed.push({ ...mark, px, row });
    } else {
      placed.push({ ...mark, px });
    }
  }
  return placed;
}

/** The plugin's options, when the chart has them complete (chart.js types every option as partial). */
function timelineOf(chart: Chart<'line'>): TimelineOptions | undefined {
  const options = chart.options.plugins?.qualityTimeline;
  return options?.marks && options.bands ? (options as TimelineOptions) : undefined;
}

const LABEL_FONT = '11px system-ui, sans-serif';
const ROW_HEIGHT = 13;

export const timelinePlugin: Plugin<'line'> = {
  id: 'qualityTimeline',

  beforeDatasetsDraw(chart: Chart<'line'>) {
    const options = timelineOf(chart);
    const scale = chart.scales.x;
    if (!options || !scale) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    for (const rect of bandRects(options.bands, (x) => scale.getPixelForValue(x), chartArea)) {
      ctx.fillStyle = BAND_COLOURS[rect.reason] ?? BAND_COLOURS.other ?? 'transparent';
      ctx.fillRect(rect.x, chartArea.top, rect.width, chartArea.bottom - chartArea.top);
    }
    ctx.restore();
  },

  afterDatasetsDraw(chart: Chart<'line'>) {
    const options = timelineOf(chart);
    const scale = chart.scales.x;
    if (!options || !scale) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.font = LABEL_FONT;
    const placed = placeMarks(options.marks, (x) => scale.getPixelForValue(x), chartArea, {
      labelWidth: (label) => (options.labels ? ctx.measureText(label).width + 6 : 0),
    });
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    for (const mark of placed) {
      ctx.strokeStyle = MARK_COLOURS[mark.kind];
      ctx.beginPath();
      ctx.moveTo(mark.px + 0.5, chartArea.top);
      ctx.lineTo(mark.px + 0.5, chartArea.bottom);
      ctx.stroke();
    }
    if (options.labels) {
      ctx.setLineDash([]);
      ctx.textBaseline = 'top';
      // A label on the panel's own colour: where the headroom above the data is not enough (a line
      // near the top, or the first seconds of a call), the label stays readable over the line.
      const surface = getComputedStyle(chart.canvas).getPropertyValue('--surface').trim();
      for (const mark of placed) {
        if (mark.row === undefined) continue;
        const y = chartArea.top + 2 + mark.row * ROW_HEIGHT;
        if (surface) {
          ctx.globalAlpha = 0.85;
          ctx.fillStyle = surface;
          ctx.fillRect(mark.px + 2, y - 1, ctx.measureText(mark.label).width + 2, ROW_HEIGHT - 1);
          ctx.globalAlpha = 1;
        }
        ctx.fillStyle = MARK_COLOURS[mark.kind];
        ctx.fillText(mark.label, mark.px + 3, y);
      }
    }
    ctx.restore();
  },
};
