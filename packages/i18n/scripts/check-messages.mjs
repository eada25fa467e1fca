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

const SETTINGS = JSON.parse(readFileSync(join(PACKAGE, 'project.inlang', 'settings.json'), 'utf8'));

/** Every messages file of `locale`: one per area (`messages/call/zh-CN.json` …), as settings.json lists them. */
function messageFiles(locale) {
  const patterns = [SETTINGS['plugin.inlang.messageFormat'].pathPattern].flat();
  return patterns.map((pattern) => join(PACKAGE, pattern.replace('{locale}', locale)));
}

/**
 * One locale's messages from all its files, and a problem line for each key defined twice (the
 * files share one namespace, so a key must be unique across areas).
 */
function readMessages(locale, problems) {
  const messages = {};
  for (const file of messageFiles(locale)) {
    if (!existsSync(file)) {
      problems.push(`${locale}: ${file.slice(PACKAGE.length + 1)} is missing (settings.json lists it)`);
      continue;
    }
    const { $schema: _schema, ...inFile } = JSON.parse(readFileSync(file, 'utf8'));
    for (const [key, text] of Object.entries(inFile)) {
      if (key in messages) problems.push(`${locale}: "${key}" is defined twice (again in ${file.slice(PACKAGE.length + 1)})`);
      messages[key] = text;
    }
  }
  return messages;
}

/**
 * The text a message can show: a plain string, or each variant of a plural/select message
 * (inlang's `[{ declarations, selectors, match: { "n=one": "…", "n=other": "…" } }]`).
 */
function textsOf(message) {
  if (typeof message === 'string') return [message];
  if (Array.isArray(message)) return message.flatMap((variant) => Object.values(variant?.match ?? {})).filter((t) => typeof t === 'string');
  return [];
}

function parametersOf(message) {
  return [...new Set(textsOf(message).flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1])))].sort();
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
  const { baseLocale, locales } = SETTINGS;
  const problems = [];
  const base = readMessages(baseLocale, problems);
  for (const locale of locales) {
    const messages = locale === baseLocale ? base : readMessages(locale, problems);
    for (const key of Object.keys(base)) {
      if (!(key in messages)) problems.push(`${locale}: missing "${key}" (${baseLocale}: ${JSON.stringify(base[key])})`);
    }
    for (const [key, message] of Object.entries(messages)) {
      const texts = textsOf(message);
      if (!(key in base)) problems.push(`${locale}: "${key}" is not in any ${baseLocale}.json`);
      else if (texts.length === 0 || texts.some((text) => text.trim() === '')) problems.push(`${locale}: "${key}" is empty`);
      else if (parametersOf(message).join() !== parametersOf(base[key]).join()) {
        problems.push(`${locale}: "${key}" takes {${parametersOf(message).join(', ')}}, ${baseLocale} takes {${parametersOf(base[key]).join(', ')}}`);
      }
    }
  }
  if (checkUnused) {
    const dirs = ['apps', 'packages'].map((d) => join(ROOT, d)).filter(existsSync);
    // Every `m.<name>` in the sources, read once: one regex per key over all the source took
    // seconds (a key count times the source), enough to time out on a loaded CI machine.
    const used = new Set();
    for (const file of dirs.flatMap((dir) => sourceFiles(dir))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bm\.([A-Za-z_$][\w$]*)/g)) used.add(match[1]);
    }
    for (const key of Object.keys(base)) {
      if (!used.has(key)) problems.push(`"${key}" is not used (no m.${key} in apps/ or packages/): remove it`);
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
