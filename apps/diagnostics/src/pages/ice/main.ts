import { mountPage } from '../../entry.js';
import IcePage from './IcePage.svelte';

mountPage(IcePage);
