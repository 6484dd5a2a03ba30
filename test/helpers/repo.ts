import { resolve } from 'node:path';

/** The repository's root folder, for tests that start the built bundles or read its files. */
export const REPO = resolve(__dirname, '..', '..');

/** The bundled sample dataset (400 MNIST digits, 24 of them in a wrong folder). */
export const SAMPLE_DIGITS = resolve(REPO, 'sample-data', 'digits');
