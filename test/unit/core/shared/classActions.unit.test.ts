import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  classActionProblem,
  classActionsProblem,
  classesAfter,
  mapClass,
  newClassActionProblem,
  strandedRelabels,
} from '../../../../src/core/shared/classActions';
import { parseDecisionsDocument, readDecisionsDocument, writeDecisions } from '../../../../src/core/review/decisions';
import { AuditError } from '../../../../src/core/errors';
import type { ClassAction } from '../../../../src/core/shared/types';

const FILE = '/data/digits/.label-audit/decisions.json';
const MERGE: ClassAction = { action: 'merge', from: '5', into: '3' };
const RENAME: ClassAction = { action: 'rename', from: 'cat', to: 'animals/cat' };

describe('class actions as a label mapping', () => {
  it('maps labels through merges and renames in order, chains included', () => {
    const actions: ClassAction[] = [
      RENAME,
      { action: 'rename', from: '7', to: 'seven' },
      { action: 'merge', from: 'seven', into: '1' },
    ];
    assert.equal(mapClass('cat', actions), 'animals/cat');
    assert.equal(mapClass('7', actions), '1', 'rename then merge of the new name');
    assert.equal(mapClass('dog', actions), 'dog');
    assert.equal(mapClass('seven', []), 'seven');
  });

  it('lists the classes after the actions, each once, in the order of the dataset', () => {
    assert.deepEqual(classesAfter(['1', '3', '5', 'cat'], [MERGE, RENAME]), ['1', '3', 'animals/cat']);
    assert.deepEqual(classesAfter(['3', '5'], [{ action: 'merge', from: '3', into: '5' }]), ['5']);
    assert.deepEqual(
      classesAfter(['0', '1', '2', '3'], [{ action: 'merge', from: '0', into: '3' }]),
      ['1', '2', '3'],
      'the target keeps its own place',
    );
    assert.deepEqual(
      classesAfter(['a', 'b', 'c'], [{ action: 'rename', from: 'a', to: 'z' }]),
      ['z', 'b', 'c'],
      "a rename takes its source's place",
    );
  });

  it('checks a new action against the classes as they are now', () => {
    const classes = ['3', '5', 'cat'];
    assert.equal(newClassActionProblem(MERGE, classes, []), undefined);
    assert.equal(newClassActionProblem(MERGE, classes, [MERGE]), 'there is no class "5"', 'merged away already');
    assert.equal(
      newClassActionProblem({ action: 'merge', from: '3', into: '9' }, classes, []),
      'there is no class "9" to merge into',
    );
    assert.equal(
      newClassActionProblem({ action: 'rename', from: '3', to: 'cat' }, classes, []),
      'a class "cat" exists already: merge into it instead',
    );
    assert.equal(
      newClassActionProblem({ action: 'rename', from: 'animals/cat', to: 'felis' }, classes, [RENAME]),
      undefined,
      'a renamed class is renamed again by its new name',
    );
    assert.match(newClassActionProblem({ action: 'rename', from: '3', to: ' three' }, classes, []) ?? '', /whitespace/);
  });

  it('keeps a name that an action took away retired, so earlier relabels cannot change meaning', () => {
    // Relabels are stored under the names the reviewer saw and follow every action: after a swap
    // (a→tmp, b→a, tmp→b) a relabel to "a" made before the swap would end in b.
    const swap: ClassAction[] = [
      { action: 'rename', from: 'a', to: 'tmp' },
      { action: 'rename', from: 'b', to: 'a' },
    ];
    assert.match(
      newClassActionProblem(swap[1], ['a', 'b'], [swap[0]]) ?? '',
      /"a" was the name of a class merged or renamed earlier/,
    );
    const mergedAway: ClassAction[] = [{ action: 'merge', from: 'one', into: '1' }];
    assert.match(
      newClassActionProblem({ action: 'rename', from: '7', to: 'one' }, ['1', '7', 'one'], mergedAway) ?? '',
      /"one" was the name/,
    );
    assert.equal(
      newClassActionProblem({ action: 'rename', from: '7', to: 'seven' }, ['1', '7', 'one'], mergedAway),
      undefined,
    );
  });

  it('checks a whole list in order, naming the action at fault', () => {
    assert.equal(classActionsProblem([MERGE, RENAME], ['3', '5', 'cat']), undefined);
    assert.equal(
      classActionsProblem([{ action: 'merge', from: 'kiten', into: 'cat' }], ['cat', 'dog']),
      'class action 1 (merge "kiten"): there is no class "kiten"',
    );
  });

  it('finds relabels that would name no class once an action is taken back', () => {
    const renamed: ClassAction[] = [{ action: 'rename', from: 'cat', to: 'feline' }];
    const decisions = {
      'a.png': { action: 'relabel', label: 'feline' },
      'b.png': { action: 'relabel', label: 'dog' },
      'c.png': { action: 'remove' },
    } as const;
    assert.deepEqual(strandedRelabels(decisions, ['cat', 'dog'], renamed), []);
    assert.deepEqual(
      strandedRelabels(decisions, ['cat', 'dog'], []),
      ['feline'],
      'undoing the rename strands the relabel to "feline"',
    );
    const merged: ClassAction[] = [{ action: 'merge', from: 'cat', into: 'dog' }];
    assert.deepEqual(
      strandedRelabels({ 'a.png': { action: 'relabel', label: 'cat' } }, ['cat', 'dog'], merged),
      [],
      'a relabel to a merged class follows the merge',
    );
  });

  it('names what is wrong with a malformed action', () => {
    assert.equal(classActionProblem(MERGE), undefined);
    assert.match(
      classActionProblem({ action: 'split', from: 'a' }) ?? '',
      /"action" must be "merge" or "rename", got "split"/,
    );
    assert.match(
      classActionProblem({ action: 'merge', from: 'a', to: 'b' }) ?? '',
      /unexpected field "to" for action "merge"/,
    );
    assert.match(classActionProblem({ action: 'rename', from: 'a' }) ?? '', /"to" must be a string, got nothing/);
    assert.match(classActionProblem({ action: 'rename', from: 'a', to: 'a' }) ?? '', /"to" must differ from "from"/);
    assert.match(classActionProblem({ action: 'merge', from: '', into: 'b' }) ?? '', /"from" must not be empty/);
    assert.match(classActionProblem(null) ?? '', /must be an object/);
  });
});

describe('decisions document version 2: classActions', () => {
  it('reads class actions in order, and version-1 documents without them', () => {
    const v2 = parseDecisionsDocument(
      { version: 2, decisions: { 'a.png': { action: 'keep' } }, classActions: [MERGE, RENAME] },
      FILE,
    );
    assert.deepEqual(v2, { decisions: { 'a.png': { action: 'keep' } }, classActions: [MERGE, RENAME] });
    assert.deepEqual(parseDecisionsDocument({ version: 1, decisions: {} }, FILE), { decisions: {}, classActions: [] });
  });

  it('rejects bad class actions naming the file and the entry', () => {
    const rejected = (json: unknown, pattern: RegExp) =>
      assert.throws(
        () => parseDecisionsDocument(json, FILE),
        (error: unknown) => {
          assert.ok(AuditError.is(error, 'decisionsMalformed'));
          assert.ok(error.message.includes(FILE), error.message);
          assert.match(error.message, pattern);
          return true;
        },
      );
    rejected({ version: 2, decisions: {}, classActions: {} }, /"classActions" must be an array, got an object/);
    rejected(
      { version: 2, decisions: {}, classActions: [MERGE, { action: 'merge', from: 'x' }] },
      /classActions\[1\]: "into" must be a string, got nothing/,
    );
    rejected({ version: 1, decisions: {}, classActions: [] }, /"classActions" needs version 2/);
    rejected({ version: 3, decisions: {} }, /"version" must be 1 or 2, got number 3/);
  });

  it('writes class actions and reads them back; a version-1 file on disk still loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'label-audit-class-actions-'));
    try {
      const file = join(dir, 'decisions.json');
      await writeDecisions(file, { 'b.png': { action: 'remove' } }, new Date('2026-11-30T10:00:00Z'), [MERGE, RENAME]);
      const written = JSON.parse(await readFile(file, 'utf8')) as { version: number; classActions: unknown };
      assert.equal(written.version, 2);
      assert.deepEqual(written.classActions, [MERGE, RENAME]);
      assert.deepEqual(await readDecisionsDocument(file), {
        decisions: { 'b.png': { action: 'remove' } },
        classActions: [MERGE, RENAME],
      });
      await writeDecisions(file, {}, new Date());
      assert.equal(
        'classActions' in (JSON.parse(await readFile(file, 'utf8')) as object),
        false,
        'no empty list is written',
      );
      await writeFile(file, JSON.stringify({ version: 1, decisions: { 'c.png': { action: 'keep' } } }));
      assert.deepEqual(await readDecisionsDocument(file), {
        decisions: { 'c.png': { action: 'keep' } },
        classActions: [],
      });
      await assert.rejects(
        writeDecisions(file, {}, new Date(), [{ action: 'rename', from: 'a', to: 'a' }]),
        /classActions\[0\]/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
