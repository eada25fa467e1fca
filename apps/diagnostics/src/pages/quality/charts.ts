/**
 * chart.js, registered piece by piece: only the line controller, its elements, the linear scale,
 * legend and tooltip are imported, so the page ships a fraction of chart.js (the bundle benchmark
 * holds the page to 150 KB of gzipped JS). The x axis is linear seconds since the call's first
 * sample, which needs no date adapter.
 */
import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import type { StatsSample } from '@workbench/core/stats';
import { formatNumber } from '@workbench/i18n/format';
import { m } from '@workbench/i18n/messages';
import { getLocale } from '@workbench/i18n/runtime';
import { METRIC, pointsOf, type ChartDefinition } from './metrics.js';
import { timelinePlugin, type TimelineOptions } from './timelinePlugin.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, timelinePlugin);

export { Chart };

type Point = { x: number; y: number | null };

/** "m:ss" for an axis tick in seconds. */
export function formatSeconds(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const whole = Math.round(Math.abs(seconds));
  return `${sign}${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function datasetsOf(definition: ChartDefinition, samples: readonly StatsSample[], origin: number): ChartDataset<'line', Point[]>[] {
  return definition.lines.map((line) => ({
    label: METRIC[line.metric].label,
    data: pointsOf(samples, line.metric, origin),
    borderColor: line.color,
    backgroundColor: line.color,
    borderWidth: 2,
    borderDash: line.dashed ? [6, 4] : [],
    pointRadius: 0,
    pointHitRadius: 6,
    // A missing value is a gap, not a line to zero: the stream was not reported then.
    spanGaps: false,
  }));
}

export interface ChartText {
  /** Axis text colour, from the page's CSS so both colour schemes stay readable. */
  text: string;
  grid: string;
}

export function chartConfiguration(
  definition: ChartDefinition,
  samples: readonly StatsSample[],
  origin: number,
  timeline: TimelineOptions,
  colours: ChartText,
): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: { datasets: datasetsOf(definition, samples, origin) },
    options: {
      // Redrawn every second with new data: animating each redraw would cost CPU for nothing.
      animation: false,
      // Tick numbers in the page's language (chart.js would take the browser's).
      locale: getLocale(),
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: m.quality_axis_time(), color: colours.text },
          ticks: { color: colours.text, maxTicksLimit: 8, callback: (value) => formatSeconds(Number(value)) },
          grid: { color: colours.grid },
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          // Headroom above the data for the marker labels' rows, which overlapped the lines.
          ...(definition.eventLabels ? { grace: '35%' } : {}),
          ...(definition.suggestedMax !== undefined ? { suggestedMax: definition.suggestedMax } : {}),
          title: { display: true, text: definition.unit, color: colours.text },
          ticks: { color: colours.text, maxTicksLimit: 6 },
          grid: { color: colours.grid },
        },
      },
      plugins: {
        legend: { labels: { color: colours.text, boxWidth: 14, boxHeight: 2 } },
        tooltip: {
          callbacks: {
            title: (items) => formatSeconds(items[0]?.parsed.x ?? 0),
            label: (item) => {
              const y = item.parsed.y;
              const value = y === null || y === undefined ? '—' : formatNumber(y, Math.abs(y) >= 100 ? 0 : 2);
              return `${item.dataset.label ?? ''}: ${value}${definition.unit ? ` ${definition.unit}` : ''}`;
            },
          },
        },
        qualityTimeline: timeline,
      },
    },
  };
}

/** Puts new samples and timeline marks into an existing chart and redraws it without animation. */
export function updateChart(
  chart: Chart<'line', Point[]>,
  definition: ChartDefinition,
  samples: readonly StatsSample[],
  origin: number,
  timeline: TimelineOptions,
): void {
  definition.lines.forEach((line, index) => {
    const dataset = chart.data.datasets[index];
    if (dataset) dataset.data = pointsOf(samples, line.metric, origin);
  });
  if (chart.options.plugins) chart.options.plugins.qualityTimeline = timeline;
  chart.update('none');
}
