import type { Plugin } from 'vite';

export declare const STATIC_LOCALE_EXPRESSION: string;
export declare const BUILD_LOCALES: readonly string[];
export declare function localeBuild(
  env: { command: 'build' | 'serve'; mode: string },
  base: string,
): { base: string; outDir: string; emptyOutDir: boolean; define?: Record<string, string>; plugins: Plugin[] };
