#!/usr/bin/env node
/**
 * Runs before paraglide compiles (so `npm run build` fails) and in the unit tests: every message
 * key exists in every language, none is empty, each translation takes the same `{parameters}`, and
 * every key is used somewhere in the apps or packages. Paraglide itself would quietly fall back to
 * English for a missing Chinese message, which is exactly what a learner must not meet.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(PACKAGE, '..', '..');

function readMessages(locale) {
  const file = join(PACKAGE, 'messages', `${locale}.json`);
  const { $schema: _schema, ...messages } = JSON.parse(readFileSync(file, 'utf8'));
  return messages;
}

function parametersOf(text) {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
}

/** Source files where messages are called (`m.key(`): apps and packages, not build output. */
function sourceFiles(dir, found = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (/\.(ts|svelte|js|mjs)$/.test(entry)) found.push(path);
  }
  return found;
}

/** @returns {string[]} one line per problem; empty when the messages are complete. */
export function checkMessages({ checkUnused = true } = {}) {
  const { baseLocale, locales } = JSON.parse(readFileSync(join(PACKAGE, 'project.inlang', 'settings.json'), 'utf8'));
  const problems = [];
  const base = readMessages(baseLocale);
  for (const locale of locales) {
    const messages = readMessages(locale);
    for (const key of Object.keys(base)) {
      if (!(key in messages)) problems.push(`${locale}: missing "${key}" (${baseLocale}: "${base[key]}")`);
    }
    for (const [key, text] of Object.entries(messages)) {
      if (!(key in base)) problems.push(`${locale}: "${key}" is not in ${baseLocale}.json`);
      else if (typeof text !== 'string' || text.trim() === '') problems.push(`${locale}: "${key}" is empty`);
      else if (parametersOf(text).join() !== parametersOf(base[key]).join()) {
        problems.push(`${locale}: "${key}" takes {${parametersOf(text).join(', ')}}, ${baseLocale} takes {${parametersOf(base[key]).join(', ')}}`);
      }
    }
  }
  if (checkUnused) {
    const dirs = ['apps', 'packages'].map((d) => join(ROOT, d)).filter(existsSync);
    const source = dirs.flatMap((dir) => sourceFiles(dir)).map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const key of Object.keys(base)) {
      if (!new RegExp(`\\bm\\.${key}\\b`).test(source)) problems.push(`"${key}" is not used (no m.${key} in apps/ or packages/): remove it`);
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkMessages();
  if (problems.length > 0) {
    console.error(`@workbench/i18n: ${problems.length} message problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
}
