import { mountPage } from '../../entry.js';
import DataChannelPage from './DataChannelPage.svelte';

mountPage(DataChannelPage);
