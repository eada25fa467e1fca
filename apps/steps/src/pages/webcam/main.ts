import { mountPage } from '../../entry.js';
import WebcamPage from './WebcamPage.svelte';

mountPage(WebcamPage);
