import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildReviewContent } from '../../../src/extension/review/reviewContent';
import type { Decisions, SuspectView } from '../../../src/protocol/webview';
import {
  DEFAULT_FILTERS,
  EMPTY_SELECTION,
  UNDO_LIMIT,
  acceptsHostDecisions,
  actionTargets,
  applyChanges,
  classForDigit,
  clearFilters,
  clickCard,
  digitKeys,
  isFiltering,
  moveFocus,
  planAction,
  popUndo,
  pushUndo,
  reconcileSelection,
  reviewCounts,
  selectAll,
  selectOnly,
  selectionAfterUndo,
  visibleSuspects,
  type Filters,
} from '../../../webview/state/reviewState';
import { sampleAnswerKey, sampleDigitsReport } from '../../helpers/sampleReport';

// The suspects of the sample digits as the host sends them: 24 flagged (the answer key), then the
// 376 correct images.
let suspects: readonly SuspectView[];
let answers: Map<string, string>;

before(async () => {
  const content = buildReviewContent(await sampleDigitsReport(), 1000, (path) => `https://file/${path}`);
  assert.equal(content.status, 'ready');
  suspects = content.status === 'ready' ? content.suspects : [];
  answers = sampleAnswerKey();
});

const paths = (indices: number[]) => indices.map((i) => suspects[i].path);
const withFilters = (change: Partial<Filters>): Filters => ({ ...DEFAULT_FILTERS, ...change });

describe('visibleSuspects', () => {
  test('shows the flagged suspects, most suspect first, by default', () => {
    const shown = visibleSuspects(suspects, {}, DEFAULT_FILTERS);
    assert.equal(shown.length, answers.size);
    assert.deepEqual(new Set(paths(shown)), new Set(answers.keys()));
    const scores = shown.map((i) => suspects[i].score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  test('includes the unflagged samples after the flagged ones when asked', () => {
    const shown = visibleSuspects(suspects, {}, withFilters({ includeUnflagged: true }));
    assert.equal(shown.length, 400);
    const firstUnflagged = shown.findIndex((i) => !suspects[i].flagged);
    assert.equal(firstUnflagged, answers.size);
    assert.ok(shown.slice(firstUnflagged).every((i) => !suspects[i].flagged));
  });

  test('filters by given and suggested class', () => {
    const given = visibleSuspects(suspects, {}, withFilters({ given: '0' }));
    const expected = [...answers.keys()].filter((p) => p.startsWith('0/'));
    assert.ok(expected.length > 0);
    assert.deepEqual(new Set(paths(given)), new Set(expected));

    const suggested = visibleSuspects(suspects, {}, withFilters({ suggested: '3' }));
    const expectedSuggested = [...answers].filter(([, truth]) => truth === '3').map(([p]) => p);
    assert.deepEqual(new Set(paths(suggested)), new Set(expectedSuggested));
  });

  test('filters by an inclusive score range', () => {
    const all = visibleSuspects(suspects, {}, withFilters({ includeUnflagged: true }));
    const median = suspects[all[Math.floor(all.length / 2)]].score;
    const high = visibleSuspects(suspects, {}, withFilters({ includeUnflagged: true, minScore: median }));
    const low = visibleSuspects(suspects, {}, withFilters({ includeUnflagged: true, maxScore: median }));
    assert.ok(high.every((i) => suspects[i].score >= median));
    assert.ok(low.every((i) => suspects[i].score <= median));
    // Samples exactly at the median are in both; together they cover everything.
    assert.equal(new Set([...high, ...low]).size, 400);
  });

  test('filters by decision state', () => {
    const [a, b, c] = paths(visibleSuspects(suspects, {}, DEFAULT_FILTERS));
    const decisions: Decisions = {
      [a]: { action: 'keep' },
      [b]: { action: 'relabel', label: '7' },
      [c]: { action: 'remove' },
    };
    const shownWith = (decision: Filters['decision']) =>
      paths(visibleSuspects(suspects, decisions, withFilters({ decision })));
    assert.equal(shownWith('pending').length, answers.size - 3);
    assert.ok(!shownWith('pending').includes(a));
    assert.deepEqual(shownWith('decided'), [a, b, c]);
    assert.deepEqual(shownWith('keep'), [a]);
    assert.deepEqual(shownWith('relabel'), [b]);
    assert.deepEqual(shownWith('remove'), [c]);
  });

  test('orders by given label numerically, keeping suspicion order within a class', () => {
    const shown = visibleSuspects(suspects, {}, withFilters({ includeUnflagged: true, sort: 'given' }));
    const labels = shown.map((i) => Number(suspects[i].givenLabel));
    assert.deepEqual(
      labels,
      [...labels].sort((x, y) => x - y),
    );
    const zeros = shown.filter((i) => suspects[i].givenLabel === '0');
    assert.deepEqual(
      zeros,
      [...zeros].sort((x, y) => x - y),
      'host order (suspicion) kept within class 0',
    );
  });

  test('isFiltering and clearFilters ignore the flagged choice and the order', () => {
    assert.equal(isFiltering(withFilters({ includeUnflagged: true, sort: 'given' })), false);
    const narrowed = withFilters({
      given: '1',
      minScore: 0.5,
      decision: 'pending',
      includeUnflagged: true,
      sort: 'suggested',
    });
    assert.equal(isFiltering(narrowed), true);
    assert.deepEqual(clearFilters(narrowed), withFilters({ includeUnflagged: true, sort: 'suggested' }));
  });
});

describe('reviewCounts', () => {
  test('counts decided samples among the flagged ones, or among all with includeUnflagged', () => {
    const flagged = paths(visibleSuspects(suspects, {}, DEFAULT_FILTERS));
    const unflagged = suspects.find((s) => !s.flagged)!.path;
    const decisions: Decisions = {
      [flagged[0]]: { action: 'keep' },
      [flagged[1]]: { action: 'remove' },
      [unflagged]: { action: 'keep' },
    };
    assert.deepEqual(reviewCounts(suspects, decisions, false), { reviewed: 2, total: answers.size });
    assert.deepEqual(reviewCounts(suspects, decisions, true), { reviewed: 3, total: 400 });
    assert.deepEqual(reviewCounts(suspects, {}, false), { reviewed: 0, total: answers.size });
  });
});

describe('selection', () => {
  const list = ['a', 'b', 'c', 'd', 'e', 'f'];

  test('a click selects one card; ctrl toggles; shift selects a range from the anchor', () => {
    let s = clickCard(EMPTY_SELECTION, list, 'b');
    assert.deepEqual(s, { focus: 'b', anchor: 'b', selected: ['b'] });
    s = clickCard(s, list, 'e', { range: true });
    assert.deepEqual(s.selected, ['b', 'c', 'd', 'e']);
    assert.equal(s.anchor, 'b');
    s = clickCard(s, list, 'c', { toggle: true });
    assert.deepEqual(s.selected, ['b', 'd', 'e']);
    s = clickCard(s, list, 'a', { toggle: true });
    assert.deepEqual(s.selected, ['b', 'd', 'e', 'a']);
    assert.deepEqual(actionTargets(s), ['b', 'd', 'e', 'a']);
    // Shift-click backwards from the new anchor.
    s = clickCard(selectOnly('d'), list, 'b', { range: true });
    assert.deepEqual(s.selected, ['b', 'c', 'd']);
  });

  test('arrows move the focus within bounds and shift extends from the anchor', () => {
    let s = moveFocus(EMPTY_SELECTION, list, 1);
    assert.equal(s.focus, 'a', 'the first move lands on the first card');
    assert.equal(moveFocus(EMPTY_SELECTION, list, Infinity).focus, 'f', '...but End lands on the last');
    s = moveFocus(s, list, 3);
    assert.deepEqual(s, selectOnly('d'));
    s = moveFocus(s, list, 100);
    assert.equal(s.focus, 'f');
    s = moveFocus(s, list, -2, true);
    assert.deepEqual(s.selected, ['d', 'e', 'f']);
    assert.equal(s.anchor, 'f');
    s = moveFocus(s, list, -Infinity);
    assert.deepEqual(s, selectOnly('a'));
    assert.deepEqual(moveFocus(s, [], 1), EMPTY_SELECTION);
  });

  test('select all keeps the focus', () => {
    const s = selectAll(selectOnly('c'), list);
    assert.deepEqual(s.selected, list);
    assert.equal(s.focus, 'c');
    assert.equal(selectAll(EMPTY_SELECTION, list).focus, 'a');
  });

  test('when the focused card disappears the next shown card takes the focus', () => {
    const after = reconcileSelection(selectOnly('c'), list, ['a', 'b', 'd', 'e', 'f']);
    assert.deepEqual(after, selectOnly('d'));
    const atEnd = reconcileSelection(selectOnly('f'), list, ['a', 'b']);
    assert.deepEqual(atEnd, selectOnly('b'));
    const kept = reconcileSelection({ focus: 'b', anchor: 'a', selected: ['a', 'b', 'c'] }, list, ['b', 'c']);
    assert.deepEqual(kept, { focus: 'b', anchor: 'b', selected: ['b', 'c'] });
    assert.deepEqual(reconcileSelection(selectOnly('a'), list, []), EMPTY_SELECTION);
  });

  test('with nothing focused, or a list that shares no card with the last one, the first card is selected', () => {
    // The panel opens (nothing selected yet) and a filter that had emptied the list shows cards again.
    assert.deepEqual(reconcileSelection(EMPTY_SELECTION, list, list), selectOnly('a'));
    assert.deepEqual(reconcileSelection(EMPTY_SELECTION, [], ['d', 'e']), selectOnly('d'));
    // Another class filter (or the spot-check view): none of the old cards is shown, so the first new one.
    assert.deepEqual(reconcileSelection(selectOnly('c'), list, ['x', 'y', 'z']), selectOnly('x'));
    // One old card still shown: the usual rule (the next shown after the old focus, else the last).
    assert.deepEqual(reconcileSelection(selectOnly('c'), list, ['a', 'x']), selectOnly('x'));
  });
});

describe('decisions and undo', () => {
  test('accept relabels to the suggestion; relabel to the given label is keep', () => {
    const [first] = visibleSuspects(suspects, {}, DEFAULT_FILTERS).map((i) => suspects[i]);
    const accept = planAction({ kind: 'accept' }, [first], {});
    assert.deepEqual(accept.changes, [
      { path: first.path, decision: { action: 'relabel', label: answers.get(first.path) } },
    ]);
    const same = planAction({ kind: 'relabel', label: first.givenLabel }, [first], {});
    assert.deepEqual(same.changes[0].decision, { action: 'keep' });
  });

  test('undo restores the decisions from before, pending ones included', () => {
    const targets = visibleSuspects(suspects, {}, DEFAULT_FILTERS)
      .slice(0, 3)
      .map((i) => suspects[i]);
    let decisions: Decisions = { [targets[0].path]: { action: 'keep' } };
    const initial = decisions;
    const plan = planAction({ kind: 'remove' }, targets, decisions);
    assert.equal(plan.changes.length, 3);
    decisions = applyChanges(decisions, plan.changes);
    assert.ok(targets.every((t) => decisions[t.path]?.action === 'remove'));
    let stack = pushUndo([], plan.undo!);

    const popped = popUndo(stack);
    stack = popped.stack;
    decisions = applyChanges(decisions, popped.entry!.restore);
    assert.deepEqual(decisions, initial);
    assert.equal(stack.length, 0);
    assert.equal(popUndo(stack).entry, undefined);
    assert.deepEqual(
      selectionAfterUndo(
        popped.entry!,
        targets.map((t) => t.path),
      ).selected,
      targets.map((t) => t.path),
    );
  });

  test('an action that changes nothing makes no undo step', () => {
    const [first] = suspects;
    const decisions: Decisions = { [first.path]: { action: 'remove' } };
    const plan = planAction({ kind: 'remove' }, [first], decisions);
    assert.deepEqual(plan.changes, []);
    assert.equal(plan.undo, undefined);
  });

  test('the undo stack is bounded', () => {
    let stack: ReturnType<typeof pushUndo> = [];
    for (let i = 0; i < UNDO_LIMIT + 5; i++) stack = pushUndo(stack, { restore: [{ path: `p${i}`, decision: null }] });
    assert.equal(stack.length, UNDO_LIMIT);
    assert.equal(stack[stack.length - 1].restore[0].path, `p${UNDO_LIMIT + 4}`);
  });

  test('host decisions replace local ones only once they include the newest change', () => {
    assert.equal(acceptsHostDecisions(3, 5, 3), false);
    assert.equal(acceptsHostDecisions(5, 5, 5), true);
    assert.equal(acceptsHostDecisions(undefined, 5, 3), false, 'an outside change waits for the pending answer');
    assert.equal(acceptsHostDecisions(undefined, 5, 5), true);
  });
});

describe('digit keys', () => {
  test('a digits dataset maps each key to the class of that name', () => {
    const classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    assert.equal(classForDigit(classes, 3), '3');
    assert.equal(classForDigit(classes, 0), '0');
    assert.equal(digitKeys(classes).length, 10);
  });

  test('other datasets map keys 1-9 to the n-th class', () => {
    const classes = ['bag', 'coat', 'shirt'];
    assert.equal(classForDigit(classes, 1), 'bag');
    assert.equal(classForDigit(classes, 3), 'shirt');
    assert.equal(classForDigit(classes, 4), undefined);
    assert.equal(classForDigit(classes, 0), undefined);
    assert.deepEqual(digitKeys(classes), [
      { key: '1', label: 'bag' },
      { key: '2', label: 'coat' },
      { key: '3', label: 'shirt' },
    ]);
  });

  test("keys stay with the report's classes and follow merges and renames", () => {
    const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    const renamed = [{ action: 'rename', from: '1', to: 'one' }] as const;
    assert.equal(classForDigit(digits, 3, renamed), '3', 'renaming "1" shifts no other key');
    assert.equal(classForDigit(digits, 1, renamed), 'one');
    const merged = [...renamed, { action: 'merge', from: '7', into: 'one' }] as const;
    assert.equal(classForDigit(digits, 7, merged), 'one', "a merged class's key picks its target");
    assert.deepEqual(
      digitKeys(digits, merged)
        .filter((k) => k.label === 'one')
        .map((k) => k.key),
      ['1', '7'],
    );
    const clothes = [{ action: 'rename', from: 'coat', to: 'jacket/coat' }] as const;
    assert.deepEqual(
      digitKeys(['bag', 'coat', 'shirt'], clothes).map((k) => k.label),
      ['bag', 'jacket/coat', 'shirt'],
    );
  });
});

test('sample paths named like Object.prototype members are ordinary keys', () => {
  const odd = suspects.slice(0, 3).map((s, i) => ({ ...s, path: ['constructor', 'toString', '__proto__'][i] }));
  assert.deepEqual(reviewCounts(odd, {}, true), { reviewed: 0, total: 3 }, '"constructor" is not decided by Object');
  const decided = applyChanges({}, [
    { path: '__proto__', decision: { action: 'remove' } },
    { path: 'constructor', decision: { action: 'keep' } },
  ]);
  assert.ok(Object.hasOwn(decided, '__proto__'), 'an entry, not a new prototype');
  assert.deepEqual(reviewCounts(odd, decided, true), { reviewed: 2, total: 3 });
  assert.deepEqual(JSON.parse(JSON.stringify(applyChanges(decided, [{ path: '__proto__', decision: null }]))), {
    constructor: { action: 'keep' },
  });
});
