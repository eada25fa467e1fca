import { mountPage } from '../../entry.js';
import SignalingPage from './SignalingPage.svelte';

mountPage(SignalingPage);
