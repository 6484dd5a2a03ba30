/**
 * axe-core in the review page. The page's CSP forbids injected <script> tags (playwright's
 * addScriptTag), so the library's source goes in through `page.evaluate`, which the CSP does not
 * govern. `assertNoSeriousViolations` fails on any serious or critical violation and prints the
 * moderate ones.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode {
  readonly target: readonly string[];
  readonly failureSummary?: string;
}
interface AxeViolation {
  readonly id: string;
  readonly impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  readonly help: string;
  readonly nodes: readonly AxeNode[];
}

/** Runs axe on the page as it is now; injects it first if needed. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
    const result = (await axe.run(document, {
      resultTypes: ['violations'],
      // Experimental in axe, but it is the rule speech-input users need: a name that contains the visible words.
      rules: { 'label-content-name-mismatch': { enabled: true } },
    })) as { violations: AxeViolation[] };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** Fails on serious and critical violations (listing each rule with its first elements); logs the rest. */
export async function assertNoSeriousViolations(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations.filter((x) => !serious.includes(x)))
    console.log(`# axe ${where}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help}`);
  assert.deepEqual(
    serious.map(
      (v) =>
        `${v.impact} ${v.id} ×${v.nodes.length}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(' ')} (${n.failureSummary?.replace(/\s+/g, ' ')})`)
          .join('; ')}`,
    ),
    [],
    `no serious or critical axe violations in ${where}`,
  );
}
