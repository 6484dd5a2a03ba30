import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConflictGroupView } from '../../../src/protocol/webview';
import { conflictProgress, conflictTarget, finalLabel, otherLabels } from '../../../webview/state/conflictState';
import { planAction } from '../../../webview/state/reviewState';

const member = (path: string, label: string) => ({ path, label, imageUri: `uri:${path}` });
const groups: ConflictGroupView[] = [
  { kind: 'exact', members: [member('cat/1.png', 'cat'), member('dog/1.png', 'dog')] },
  { kind: 'near', members: [member('cat/2.png', 'cat'), member('fox/2.png', 'fox'), member('dog/2.png', 'dog')] },
];

test('a group is resolved when every member has a decision', () => {
  assert.deepEqual(conflictProgress(groups, {}), { resolved: 0, total: 2 });
  assert.deepEqual(conflictProgress(groups, { 'cat/1.png': { action: 'keep' } }), { resolved: 0, total: 2 });
  assert.deepEqual(conflictProgress(groups, { 'cat/1.png': { action: 'keep' }, 'dog/1.png': { action: 'remove' } }), {
    resolved: 1,
    total: 2,
  });
});

test("quick relabel choices are the group's other labels; the final label follows the decision", () => {
  assert.deepEqual(otherLabels(groups[1], 'fox'), ['cat', 'dog']);
  const copy = groups[0].members[1];
  assert.equal(finalLabel(copy, {}), 'dog');
  assert.equal(finalLabel(copy, { [copy.path]: { action: 'relabel', label: 'cat' } }), 'cat');
  assert.equal(finalLabel(copy, { [copy.path]: { action: 'remove' } }), null);
});

test('a member decides like a suspect: relabel to its own label is a keep, and undo restores the previous decision', () => {
  const copy = groups[0].members[1];
  const same = planAction({ kind: 'relabel', label: 'dog' }, [conflictTarget(copy)], {});
  assert.deepEqual(same.changes, [{ path: copy.path, decision: { action: 'keep' } }]);
  const relabel = planAction({ kind: 'relabel', label: 'cat' }, [conflictTarget(copy)], {
    [copy.path]: { action: 'remove' },
  });
  assert.deepEqual(relabel.changes, [{ path: copy.path, decision: { action: 'relabel', label: 'cat' } }]);
  assert.deepEqual(relabel.undo?.restore, [{ path: copy.path, decision: { action: 'remove' } }]);
});
