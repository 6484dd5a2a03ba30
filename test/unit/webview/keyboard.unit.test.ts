import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandForKey, type KeyPress } from '../../../webview/state/keyboard';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

test('review keys map to their commands', () => {
  assert.deepEqual(commandForKey(press('Enter')), { kind: 'accept' });
  assert.deepEqual(commandForKey(press('k')), { kind: 'keep' });
  assert.deepEqual(commandForKey(press('K', { shiftKey: true })), { kind: 'keep' });
  assert.deepEqual(commandForKey(press('r')), { kind: 'relabel' });
  assert.deepEqual(commandForKey(press('n')), { kind: 'nextUnreviewed' });
  assert.deepEqual(commandForKey(press('N', { shiftKey: true })), { kind: 'nextUnreviewed' });
  assert.deepEqual(commandForKey(press('Delete')), { kind: 'remove' });
  assert.deepEqual(commandForKey(press('Backspace')), { kind: 'remove' });
  assert.deepEqual(commandForKey(press('7')), { kind: 'digit', digit: 7 });
  assert.deepEqual(commandForKey(press('?', { shiftKey: true })), { kind: 'help' });
  assert.deepEqual(commandForKey(press('Escape')), { kind: 'escape' });
});

test('arrows move, shift extends; Ctrl and Cmd both undo and select all', () => {
  assert.deepEqual(commandForKey(press('ArrowDown')), { kind: 'move', direction: 'down', extend: false });
  assert.deepEqual(commandForKey(press('ArrowLeft', { shiftKey: true })), {
    kind: 'move',
    direction: 'left',
    extend: true,
  });
  assert.deepEqual(commandForKey(press('z', { ctrlKey: true })), { kind: 'undo' });
  assert.deepEqual(commandForKey(press('z', { metaKey: true })), { kind: 'undo' });
  assert.deepEqual(commandForKey(press('a', { ctrlKey: true })), { kind: 'selectAll' });
});

test('keys that are not ours keep their default behaviour', () => {
  assert.equal(
    commandForKey(press('z', { ctrlKey: true, shiftKey: true })),
    undefined,
    'Ctrl+Shift+Z is redo, not undo',
  );
  assert.equal(commandForKey(press('c', { ctrlKey: true })), undefined);
  assert.equal(commandForKey(press('k', { altKey: true })), undefined);
  assert.equal(commandForKey(press('x')), undefined);
  assert.equal(commandForKey(press('Tab')), undefined);
});
