import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ThumbnailStore } from '../../../webview/state/thumbnailStore';

test('the store asks only for cards without an image, and only when that changes', () => {
  const store = new ThumbnailStore();
  assert.deepEqual(store.requestFor(['a', 'b', 'c']), ['a', 'b', 'c']);
  assert.equal(store.requestFor(['a', 'b', 'c']), undefined, 'the same screen again: nothing new to say');
  store.add({ a: 'uri-a', b: 'uri-b' });
  assert.deepEqual(store.requestFor(['a', 'b', 'c', 'd']), ['c', 'd']);
  store.add({ c: 'uri-c', d: 'uri-d' });
  assert.equal(store.requestFor(['a', 'b', 'c', 'd']), undefined, 'all shown');
  assert.equal(store.get('c'), 'uri-c');
  store.clear();
  assert.equal(store.get('c'), undefined);
  assert.deepEqual(store.requestFor(['c']), ['c']);
});

test('the store stays bounded, forgetting the least recently shown', () => {
  const store = new ThumbnailStore(3);
  store.add({ a: '1', b: '2', c: '3' });
  assert.equal(store.get('a'), '1', 'a is now the most recent');
  store.add({ d: '4' });
  assert.equal(store.size, 3);
  assert.equal(store.get('b'), undefined, 'b was the least recent');
  assert.deepEqual([store.get('a'), store.get('c'), store.get('d')], ['1', '3', '4']);
  store.add(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, `u${i}`])));
  assert.equal(store.size, 3);
  assert.equal(store.get('p99'), 'u99');
});
