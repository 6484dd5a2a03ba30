import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SuspectView } from '../../../src/protocol/webview';
import { userModelFigures } from '../../../webview/state/userModelFigures';

const suspect: SuspectView = {
  path: '3/00012.png',
  givenLabel: '3',
  suggestedLabel: '8',
  ermGiven: 0.9,
  mixupGiven: 0.1,
  mixupSuggested: 0.8,
  score: 0.8,
  flagged: true,
  imageUri: 'x',
};

test("the user's model's figures, each suggestion compared with ours", () => {
  assert.deepEqual(
    userModelFigures({
      ...suspect,
      userModel: { predProbs: { given: 0.034, suggestion: '8' }, neighbours: { agreement: 0.6, suggestion: '5' } },
    }),
    [
      { term: 'Given label', value: '3%' },
      { term: 'Suggests', value: '8 (as ours)' },
      { term: 'Neighbours agreeing', value: '60%' },
      { term: 'Neighbours suggest', value: '5 (ours: 8)' },
    ],
  );
  assert.deepEqual(userModelFigures({ ...suspect, userModel: { predProbs: { given: 0.7, suggestion: '5' } } }), [
    { term: 'Given label', value: '70%' },
    { term: 'Suggests', value: '5 (ours: 8)' },
  ]);
});

test('an audit without the user model: no rows', () => {
  assert.deepEqual(userModelFigures(suspect), []);
});
