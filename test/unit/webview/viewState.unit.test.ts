import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FILTERS } from '../../../webview/state/reviewState';
import { DEFAULT_SPOT_CHECK_SIZE } from '../../../webview/state/spotCheckState';
import {
  DEFAULT_VIEW_STATE,
  persistedState,
  restoreViewState,
  viewStateForNewDataset,
  type PersistedState,
} from '../../../webview/state/viewState';

test('no saved state restores the defaults', () => {
  assert.deepEqual(restoreViewState(undefined), DEFAULT_VIEW_STATE);
  assert.equal(DEFAULT_VIEW_STATE.view, 'suspects');
  assert.equal(DEFAULT_VIEW_STATE.spotCheckSize, DEFAULT_SPOT_CHECK_SIZE);
});

test('state saved before the later fields existed restores its own fields and defaults for the rest', () => {
  // The shape of a state saved before the conflicts view, the spot check and recent labels.
  const saved: PersistedState = {
    datasetRoot: '/data/digits',
    filters: { ...DEFAULT_FILTERS, given: '3' },
    selection: { focus: 'a.png', selected: ['a.png'], anchor: 'a.png' },
    scrollTop: 420,
    undo: [],
    seq: 7,
  };
  const state = restoreViewState(saved);
  assert.equal(state.scrollTop, 420);
  assert.equal(state.filters.given, '3');
  assert.deepEqual(state.selection, saved.selection);
  assert.equal(state.view, 'suspects');
  assert.equal(state.swapsOpen, false);
  assert.deepEqual(state.recentLabels, []);
  assert.equal(state.spotCheckSize, DEFAULT_SPOT_CHECK_SIZE);
  // The dataset and the numbering are not view state.
  assert.equal('datasetRoot' in state, false);
  assert.equal('seq' in state, false);
});

test('filters missing a field (saved before it existed) take that field from the defaults', () => {
  const { sort: _sort, ...older } = DEFAULT_FILTERS;
  const state = restoreViewState({ filters: { ...older, decision: 'pending' } as typeof DEFAULT_FILTERS });
  assert.equal(state.filters.sort, 'suspicion');
  assert.equal(state.filters.decision, 'pending');
});

test('a saved state round-trips through persistedState', () => {
  const state = { ...DEFAULT_VIEW_STATE, view: 'conflicts' as const, conflictScrollTop: 900, recentLabels: ['7'] };
  const saved = JSON.parse(JSON.stringify(persistedState('/data/digits', 3, state))) as PersistedState;
  assert.equal(saved.datasetRoot, '/data/digits');
  assert.equal(saved.seq, 3);
  assert.deepEqual(restoreViewState(saved), state);
});

test('another dataset starts over but keeps the heatmap choice and the recent labels', () => {
  const busy = {
    ...DEFAULT_VIEW_STATE,
    view: 'classes' as const,
    filters: { ...DEFAULT_FILTERS, given: '3' },
    scrollTop: 100,
    swapsOpen: true,
    recentLabels: ['7', '1'],
    spotCheckSize: 200,
  };
  assert.deepEqual(viewStateForNewDataset(busy), { ...DEFAULT_VIEW_STATE, swapsOpen: true, recentLabels: ['7', '1'] });
});
