import { describe, expect, it } from 'vitest';
import { srcObject } from './srcObject.js';

describe('srcObject', () => {
  it('sets the stream it was given on the element, and null clears it', () => {
    const video = { srcObject: null } as { srcObject: MediaStream | null } as HTMLMediaElement;
    const stream = { id: 'camera' } as MediaStream;
    srcObject(stream)(video);
    expect(video.srcObject).toBe(stream);
    srcObject(null)(video);
    expect(video.srcObject).toBeNull();
  });
});
