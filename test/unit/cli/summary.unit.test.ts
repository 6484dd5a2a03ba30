import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSuspects } from '../../../src/cli/summary';
import { sampleDigitsReport } from '../../helpers/sampleReport';

test('the CLI summary has a duplicates line when the report counts duplicates, and none for older reports', async () => {
  const report = await sampleDigitsReport();
  assert.doesNotMatch(formatSuspects(report, 3), /Duplicates/);
  const withDuplicates = {
    ...report,
    duplicates: {
      exact: { groups: 2, images: 5 },
      near: { groups: 1, images: 2 },
      conflicting: { groups: 1, images: 2 },
      maxHashDistance: 6,
      minCorrelation: 0.97,
    },
  };
  assert.match(
    formatSuspects(withDuplicates, 3),
    /^Duplicates: 2 exact groups \(5 images\), 1 near groups \(2 images\); 1 groups \(2 images\) carry different labels: see "conflicts" in the report\.$/m,
  );
});
