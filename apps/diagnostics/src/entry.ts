/**
 * The shared entry of every diagnostics tool. webrtc-adapter is loaded here, before any tool code
 * runs, in the browsers where it does something (older Chrome and Firefox, Safari, anything
 * unknown), so the tools read the same standard API and getStats fields everywhere. Today's
 * Chromium and Firefox implement that API themselves and skip the adapter's 14 KB: see
 * @workbench/core/adapter-need for the rule. <html data-webrtc-adapter> and the console say which.
 */
import { loadAdapterWhereNeeded } from '@workbench/core/adapter-need';
import { mount, type Component } from 'svelte';

export function mountPage(page: Component): void {
  void loadAdapterWhereNeeded(() => import('webrtc-adapter')).then(() => {
    mount(page, { target: document.getElementById('app') ?? document.body });
  });
}
