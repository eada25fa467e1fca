import { afterEach, describe, expect, it, vi } from 'vitest';
import { REVOKE_AFTER_MS, downloadFile } from './download.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('downloadFile', () => {
  it('clicks a link to an object URL of the content with the given name, then revokes the URL', async () => {
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:test-1';
    });
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    // No DOM in these tests: a stand-in anchor that records its click.
    const clicked: { href: string; download: string }[] = [];
    const link = { href: '', download: '', click: () => clicked.push({ href: link.href, download: link.download }) };
    vi.stubGlobal('document', { createElement: (tag: string) => (tag === 'a' ? link : null) });

    vi.useFakeTimers();
    downloadFile('a,b\n1,2\n', 'text/csv', 'samples.csv');
    expect(clicked).toEqual([{ href: 'blob:test-1', download: 'samples.csv' }]);
    expect(blobs[0]?.type).toBe('text/csv');
    vi.advanceTimersByTime(REVOKE_AFTER_MS - 1);
    expect(revoked).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(revoked).toHaveBeenCalledWith('blob:test-1');
    expect(await blobs[0]?.text()).toBe('a,b\n1,2\n');
  });
});
