import { cp } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { AUDIT_DIR } from '../../src/core/report';

/** The repository's root folder, for tests that start the built bundles or read its files. */
export const REPO = resolve(__dirname, '..', '..');

/** The bundled sample dataset (400 MNIST digits, 24 of them in a wrong folder). */
export const SAMPLE_DIGITS = resolve(REPO, 'sample-data', 'digits');

/**
 * Copies the sample dataset to `target` without the `.label-audit/` folder a local `npm run sample`
 * may have left in it, so that every copy starts unaudited.
 * @returns `target`.
 */
export async function copySampleDigits(target: string): Promise<string> {
  await cp(SAMPLE_DIGITS, target, {
    recursive: true,
    filter: (source) => !relative(SAMPLE_DIGITS, source).split(sep).includes(AUDIT_DIR),
  });
  return target;
}
