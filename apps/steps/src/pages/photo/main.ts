import { mountPage } from '../../entry.js';
import PhotoPage from './PhotoPage.svelte';

mountPage(PhotoPage);
