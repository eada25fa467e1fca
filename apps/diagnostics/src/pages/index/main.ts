import { mount } from 'svelte';
import IndexPage from './IndexPage.svelte';

// No webrtc-adapter here: the index only links to the tools.
mount(IndexPage, { target: document.getElementById('app') ?? document.body });
