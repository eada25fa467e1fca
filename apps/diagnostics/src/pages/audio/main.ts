import { mountPage } from '../../entry.js';
import AudioPage from './AudioPage.svelte';

mountPage(AudioPage);
