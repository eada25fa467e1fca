/**
 * axe-core in a page: the serious and critical violations (what the browser suites refuse), and a
 * report with one line per failing element (rule, impact, selector, what axe says to fix).
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core');
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

export interface AxeFindings {
  /** Serious and critical violations. */
  blocking: AxeViolation[];
  /** One line per failing element of `blocking`, headed by `where`; empty when there is none. */
  report: string;
}

/** Runs axe on the whole document of `page` as it is now. */
export async function axeFindings(page: Page, where: string): Promise<AxeFindings> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  const blocking = violations.filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ''));
  const report = blocking
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `${where}: [${violation.impact}] ${violation.id} (${violation.help}) at ${JSON.stringify(node.target)}\n` +
          `    ${node.html.slice(0, 200)}\n    ${(node.failureSummary ?? '').replace(/\n/g, '\n    ')}\n    ${violation.helpUrl}`,
      ),
    )
    .join('\n');
  return { blocking, report };
}
