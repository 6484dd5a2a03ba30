import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration } from '../../../src/core/progressPhrases';

test('durations are rounded the way people say them', () => {
  assert.equal(formatDuration(0.2), 'about 1 s');
  assert.equal(formatDuration(59.4), 'about 59 s');
  assert.equal(formatDuration(61), 'about 1 min');
  assert.equal(formatDuration(3 * 3600 + 20 * 60), 'about 3 h 20 min');
});
