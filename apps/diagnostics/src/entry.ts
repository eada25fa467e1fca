/**
 * The shared entry of every diagnostics tool: webrtc-adapter is imported once, here, so the
 * tools read the same standard API and getStats fields in every browser.
 */
import 'webrtc-adapter';
import { mount, type Component } from 'svelte';

export function mountPage(page: Component): void {
  mount(page, { target: document.getElementById('app') ?? document.body });
}
