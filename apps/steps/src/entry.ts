/**
 * The shared entry of every step page that touches WebRTC. webrtc-adapter is loaded here, before
 * any page code runs, in the browsers where it does something (older Chrome and Firefox, Safari,
 * anything unknown), so the pages can use the standard API everywhere. Today's Chromium and
 * Firefox implement that API themselves and skip the adapter's 14 KB: see
 * @workbench/core/adapter-need for the rule. <html data-webrtc-adapter> and the console say which.
 */
import { loadAdapterWhereNeeded } from '@workbench/core/adapter-need';
import { mount, type Component } from 'svelte';

export function mountPage(page: Component): void {
  void loadAdapterWhereNeeded(() => import('webrtc-adapter')).then(() => {
    mount(page, { target: document.getElementById('app') ?? document.body });
  });
}
