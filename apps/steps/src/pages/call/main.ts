import { mountPage } from '../../entry.js';
import CallPage from './CallPage.svelte';

mountPage(CallPage);
