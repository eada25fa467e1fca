import { mountPage } from '../../entry.js';
import CameraPage from './CameraPage.svelte';

mountPage(CameraPage);
