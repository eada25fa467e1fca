/**
 * The shared entry of every step page that touches WebRTC: webrtc-adapter is imported once,
 * here, before any page code runs, so the pages can use the standard API (addTrack/ontrack,
 * promise-based getUserMedia) and read the same getStats fields in every browser.
 */
import 'webrtc-adapter';
import { mount, type Component } from 'svelte';

export function mountPage(page: Component): void {
  mount(page, { target: document.getElementById('app') ?? document.body });
}
