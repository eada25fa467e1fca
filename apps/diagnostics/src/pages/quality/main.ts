import { mountPage } from '../../entry.js';
import QualityPage from './QualityPage.svelte';

mountPage(QualityPage);
