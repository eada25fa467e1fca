import { mountPage } from '../../entry.js';
import PeerConnectionPage from './PeerConnectionPage.svelte';

mountPage(PeerConnectionPage);
