// Unit tests for the timeline plugin's layout: bands clipped to the plot area and label rows that
// never let two labels overlap.
import { describe, expect, it } from 'vitest';
import { bandRects, placeMarks } from './timelinePlugin.js';

const area = { left: 50, right: 450, top: 10, bottom: 210 };
const toPixel = (x: number) => 50 + x * 10; // 1 s = 10 px from the left edge

describe('bandRects', () => {
  it('clips bands to the plot area, drops the ones outside it, and keeps one-sample bands visible', () => {
    expect(
      bandRects(
        [
          { from: -10, to: 5, reason: 'bandwidth' },
          { from: 10, to: 10, reason: 'cpu' },
          { from: 38, to: 60, reason: 'other' },
          { from: 50, to: 60, reason: 'cpu' },
          { from: -20, to: -10, reason: 'cpu' },
        ],
        toPixel,
        area,
      ),
    ).toEqual([
      { x: 50, width: 50, reason: 'bandwidth' },
      { x: 150, width: 2, reason: 'cpu' },
      { x: 430, width: 20, reason: 'other' },
    ]);
  });
});

describe('placeMarks', () => {
  const labelWidth = () => 60;

  it('puts labels on the first row with room, and leaves out labels with no free row', () => {
    const marks = [0, 1, 2, 3, 10].map((x) => ({ x, kind: 'resolution' as const, label: `m${x}` }));
    const placed = placeMarks(marks, toPixel, area, { rows: 3, labelWidth });
    expect(placed.map((m) => [m.label, m.px, m.row])).toEqual([
      ['m0', 50, 0],
      ['m1', 60, 1],
      ['m2', 70, 2],
      ['m3', 80, undefined], // three rows taken: line only
      ['m10', 150, 0],
    ]);
  });

  it('sorts by time and skips marks outside the plot area', () => {
    const placed = placeMarks(
      [
        { x: 20, kind: 'codec', label: 'b' },
        { x: -3, kind: 'ice', label: 'before' },
        { x: 5, kind: 'codec', label: 'a' },
      ],
      toPixel,
      area,
      { labelWidth },
    );
    expect(placed.map((m) => m.label)).toEqual(['a', 'b']);
  });
});
