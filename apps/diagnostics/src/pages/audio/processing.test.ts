import { describe, expect, it } from 'vitest';
import { describeProcessing } from './processing.js';

describe('describeProcessing', () => {
  it('names each setting on, off, or unreported', () => {
    expect(describeProcessing({ echoCancellation: true, noiseSuppression: false, autoGainControl: true })).toBe('EC on, NS off, AGC on');
    expect(describeProcessing({ echoCancellation: false })).toBe('EC off, NS ?, AGC ?');
  });
});
