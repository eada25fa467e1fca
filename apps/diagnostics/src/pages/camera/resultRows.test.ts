// Unit tests for the camera page's table logic: size choice, deep results replacing quick ones, the export.
import { STANDARD_RESOLUTIONS, type ResolutionResult } from '@workbench/core/camera-probe';
import { describe, expect, it } from 'vitest';
import { buildExport, exportFileName, formatMs, mergeResult, rowKey, selectSizes, sizeLabel } from './resultRows.js';

function result(overrides: Partial<ResolutionResult> = {}): ResolutionResult {
  return {
    pass: 'quick',
    deviceId: 'cam',
    camera: 'Camera',
    requested: { width: 640, height: 480 },
    status: 'pass',
    code: 'NATIVE',
    reason: 'native',
    attempts: 1,
    ...overrides,
  };
}

describe('selectSizes', () => {
  it('keeps the ticked standard sizes in list order, then new custom sizes', () => {
    const ticked = { '1280x720': true, '320x240': true, '640x480': false };
    const custom = [{ width: 1000, height: 700 }, { width: 320, height: 240 }];
    expect(selectSizes(STANDARD_RESOLUTIONS, ticked, custom)).toEqual([
      { width: 320, height: 240, name: 'QVGA' },
      { width: 1280, height: 720, name: '720p HD' },
      { width: 1000, height: 700 },
    ]);
    expect(selectSizes(STANDARD_RESOLUTIONS, {}, [])).toEqual([]);
  });
});

describe('mergeResult', () => {
  it('appends new camera/size pairs and replaces an existing one in place', () => {
    let rows = mergeResult([], result());
    rows = mergeResult(rows, result({ requested: { width: 800, height: 600 } }));
    rows = mergeResult(rows, result({ deviceId: 'other' }));
    expect(rows.map((row) => row.key)).toEqual(['cam|640x480', 'cam|800x600', 'other|640x480']);
    const deep = result({ pass: 'deep', reason: 'measured' });
    rows = mergeResult(rows, deep);
    expect(rows.map((row) => row.key)).toEqual(['cam|640x480', 'cam|800x600', 'other|640x480']);
    expect(rows[0]?.result).toBe(deep);
    expect(rowKey(deep)).toBe('cam|640x480');
  });
});

describe('labels', () => {
  it('names standard sizes and formats times', () => {
    expect(sizeLabel({ width: 1280, height: 720 }, STANDARD_RESOLUTIONS)).toBe('1280×720 (720p HD)');
    expect(sizeLabel({ width: 1000, height: 700 }, STANDARD_RESOLUTIONS)).toBe('1000×700');
    expect(formatMs(12.6)).toBe('13');
    expect(formatMs(undefined)).toBe('—');
    expect(formatMs(null)).toBe('—');
  });
});

describe('buildExport', () => {
  it('writes the table rows with the cameras and passes, and a file name safe everywhere', () => {
    const now = new Date('2025-01-31T10:20:30.000Z');
    const rows = mergeResult([], result());
    const exported = buildExport({
      rows,
      cameras: [{ deviceId: 'cam', label: 'Camera', capabilitiesFrom: 'device' }],
      passes: [{ pass: 'quick', startedAt: now.toISOString(), durationMs: 50, outcome: 'finished', sizes: 1, cameras: 1 }],
      userAgent: 'test',
      now,
    });
    expect(exported).toMatchObject({ tool: 'webrtc-workbench camera probe', exportedAt: '2025-01-31T10:20:30.000Z', results: [rows[0]?.result] });
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
    expect(exportFileName(now, 'csv')).toBe('camera-probe-2025-01-31T10-20-30-000Z.csv');
  });
});
