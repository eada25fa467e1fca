/**
 * Source text for the SourcePanels, fetched once the page works: the callers pass dynamic `?raw`
 * imports, which Vite puts in chunks of their own, so reading material never delays the page or
 * counts against its JS budget. Without it (offline) the page still works: one warning says so.
 */
import { m } from '@workbench/i18n/messages';
import type { LogSink } from './logTo.js';

type Loaded<T extends readonly Promise<{ default: string }>[]> = { -readonly [K in keyof T]: string };

/** Resolves to the texts of `imports` in order, or to nothing (after a warning) when one fails. */
export async function loadSources<const T extends readonly Promise<{ default: string }>[]>(imports: T, log: LogSink): Promise<Loaded<T> | undefined> {
  try {
    const modules = await Promise.all(imports);
    return modules.map((module) => module.default) as Loaded<T>;
  } catch {
    log.warn(imports.length === 1 ? m.ui_source_load_failed_one() : m.ui_source_load_failed_many(), 'page');
    return undefined;
  }
}
