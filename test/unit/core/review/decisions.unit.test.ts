import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { sameDecision } from '../../../../src/core/shared/decisionValues';
import {
  acceptSuggestions,
  defaultDecisionsPath,
  parseDecisions,
  readDecisions,
  writeDecisions,
} from '../../../../src/core/review/decisions';
import { AuditError } from '../../../../src/core/errors';
import { AUDIT_DIR } from '../../../../src/core/report';
import { REPO } from '../../../helpers/repo';

const FILE = '/data/digits/.label-audit/decisions.json';

/** Asserts that parsing `json` fails as decisionsMalformed with a message naming the file and matching `pattern`. */
function assertRejected(json: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseDecisions(json, FILE),
    (error: unknown) => {
      assert.ok(AuditError.is(error, 'decisionsMalformed'), `expected decisionsMalformed, got ${String(error)}`);
      assert.ok(error.message.includes(FILE), `message should name the file: ${error.message}`);
      assert.match(error.message, pattern);
      assert.equal(error.file, FILE);
      return true;
    },
  );
}

describe('parseDecisions', () => {
  it('accepts keep, relabel and remove, with and without updatedAt', () => {
    const decisions = {
      '3/00001.png': { action: 'keep' },
      '3/00002.png': { action: 'relabel', label: '8' },
      '7/00003.png': { action: 'remove' },
    };
    const expected = {
      '3/00001.png': { action: 'keep' },
      '3/00002.png': { action: 'relabel', label: '8' },
      '7/00003.png': { action: 'remove' },
    };
    assert.deepEqual(parseDecisions({ version: 1, decisions }, FILE), expected);
    assert.deepEqual(parseDecisions({ version: 1, decisions, updatedAt: '2026-11-25T10:00:00.000Z' }, FILE), expected);
    assert.deepEqual(parseDecisions({ version: 1, decisions: {} }, FILE), {});
  });

  it('keeps a path named __proto__ as an ordinary key', () => {
    const parsed = parseDecisions(JSON.parse('{"version":1,"decisions":{"__proto__":{"action":"remove"}}}'), FILE);
    assert.deepEqual(Object.keys(parsed), ['__proto__']);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  });

  it('rejects a document that is not an object', () => {
    assertRejected(null, /expected a JSON object, got null/);
    assertRejected([], /expected a JSON object, got an array/);
    assertRejected('decisions', /expected a JSON object, got string "decisions"/);
  });

  it('rejects a wrong or missing version', () => {
    assertRejected({ decisions: {} }, /"version" must be 1 or 2, got nothing/);
    assertRejected({ version: 3, decisions: {} }, /"version" must be 1 or 2, got number 3/);
    assertRejected({ version: '1', decisions: {} }, /"version" must be 1 or 2, got string "1"/);
  });

  it('rejects unknown top-level fields', () => {
    assertRejected({ version: 1, decisions: {}, decision: {} }, /unknown field "decision"/);
  });

  it('rejects a bad updatedAt', () => {
    assertRejected({ version: 1, decisions: {}, updatedAt: 'yesterday' }, /"updatedAt" must be an ISO 8601/);
    assertRejected({ version: 1, decisions: {}, updatedAt: '2026-13-45T10:00:00Z' }, /"updatedAt"/);
    assertRejected({ version: 1, decisions: {}, updatedAt: 1764064800000 }, /"updatedAt".*number/);
  });

  it('rejects decisions that are not an object keyed by path', () => {
    assertRejected({ version: 1 }, /"decisions" must be an object keyed by sample path, got nothing/);
    assertRejected(
      { version: 1, decisions: [{ path: 'a.png', action: 'keep' }] },
      /"decisions" must be an object.*an array/,
    );
  });

  it('names the entry whose action is missing or unknown', () => {
    assertRejected(
      { version: 1, decisions: { 'a/1.png': {} } },
      /decision for "a\/1.png": "action" must be "keep", "relabel" or "remove", got nothing/,
    );
    assertRejected(
      { version: 1, decisions: { 'a/2.png': { action: 'delete' } } },
      /decision for "a\/2.png".*got string "delete"/,
    );
    assertRejected(
      { version: 1, decisions: { 'a/3.png': 'keep' } },
      /decision for "a\/3.png" must be an object, got string "keep"/,
    );
    assertRejected(
      { version: 1, decisions: { 'a/4.png': null } },
      /decision for "a\/4.png" must be an object, got null/,
    );
  });

  it('names the entry and field of a bad relabel', () => {
    assertRejected(
      { version: 1, decisions: { 'b/1.png': { action: 'relabel' } } },
      /decision for "b\/1.png": "label" must be a string, got nothing/,
    );
    assertRejected(
      { version: 1, decisions: { 'b/2.png': { action: 'relabel', label: 7 } } },
      /decision for "b\/2.png": "label" must be a string, got number 7/,
    );
    assertRejected(
      { version: 1, decisions: { 'b/3.png': { action: 'relabel', label: '  ' } } },
      /decision for "b\/3.png": "label" must not be empty/,
    );
    assertRejected(
      { version: 1, decisions: { 'b/4.png': { action: 'relabel', label: ' cat' } } },
      /decision for "b\/4.png": "label" must not start or end with whitespace/,
    );
    assertRejected(
      { version: 1, decisions: { 'b/5.png': { action: 'relabel', label: 'c\nat' } } },
      /decision for "b\/5.png": "label" must not contain control characters/,
    );
  });

  it('names an unexpected field in an entry', () => {
    assertRejected(
      { version: 1, decisions: { 'c/1.png': { action: 'keep', label: 'cat' } } },
      /decision for "c\/1.png" has an unexpected field "label" for action string "keep"/,
    );
    assertRejected(
      { version: 1, decisions: { 'c/2.png': { action: 'relabel', label: 'cat', note: 'x' } } },
      /decision for "c\/2.png" has an unexpected field "note"/,
    );
  });

  it('rejects an empty path', () => {
    assertRejected({ version: 1, decisions: { '': { action: 'keep' } } }, /empty sample path/);
  });
});

describe('readDecisions / writeDecisions', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'label-audit-decisions-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a sorted version-2 document atomically and reads it back', async () => {
    const file = defaultDecisionsPath(join(dir, 'digits'));
    assert.equal(file, join(dir, 'digits', AUDIT_DIR, 'decisions.json'));
    const decisions = {
      'z/9.png': { action: 'remove' },
      'a/1.png': { action: 'relabel', label: '7' },
      'm/5.png': { action: 'keep' },
    } as const;
    await writeDecisions(file, decisions, new Date('2026-11-25T10:00:00.000Z'));
    const document = JSON.parse(await readFile(file, 'utf8'));
    assert.deepEqual(document, {
      version: 2,
      decisions: {
        'a/1.png': { action: 'relabel', label: '7' },
        'm/5.png': { action: 'keep' },
        'z/9.png': { action: 'remove' },
      },
      updatedAt: '2026-11-25T10:00:00.000Z',
    });
    assert.deepEqual(Object.keys(document.decisions), ['a/1.png', 'm/5.png', 'z/9.png']);
    assert.deepEqual(await readDecisions(file), decisions);
    // No temp file left beside it.
    assert.deepEqual(await readdir(join(dir, 'digits', AUDIT_DIR)), ['decisions.json']);
  });

  it('refuses to write an invalid decision and leaves the previous file alone', async () => {
    const file = join(dir, 'keep-old.json');
    await writeDecisions(file, { 'a.png': { action: 'keep' } });
    const before = await readFile(file, 'utf8');
    await assert.rejects(
      writeDecisions(file, { 'a.png': { action: 'relabel', label: '' } }),
      (error: unknown) =>
        AuditError.is(error, 'decisionsMalformed') && /"a\.png".*must not be empty/.test(error.message),
    );
    assert.equal(await readFile(file, 'utf8'), before);
  });

  it('reports a missing file, or returns no decisions when asked to', async () => {
    const file = join(dir, 'missing.json');
    await assert.rejects(
      readDecisions(file),
      (error: unknown) =>
        AuditError.is(error, 'decisionsMalformed') && error.message.includes(file) && /not found/.test(error.message),
    );
    assert.deepEqual(await readDecisions(file, { missing: 'empty' }), {});
  });

  it('reports a file that is not JSON, naming it', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"version": 1, "decisions": {');
    await assert.rejects(
      readDecisions(file),
      (error: unknown) =>
        AuditError.is(error, 'decisionsMalformed') &&
        error.message.includes(file) &&
        /not valid JSON/.test(error.message),
    );
  });

  it('reads a file with a UTF-8 BOM', async () => {
    const file = join(dir, 'bom.json');
    await writeFile(file, '\uFEFF{"version":1,"decisions":{"a.png":{"action":"remove"}}}');
    assert.deepEqual(await readDecisions(file), { 'a.png': { action: 'remove' } });
  });
});

describe('acceptSuggestions', () => {
  it('relabels every suspect to its suggestion', () => {
    const decisions = acceptSuggestions([
      { path: '3/00001.png', suggestedLabel: '8' },
      { path: '1/00002.png', suggestedLabel: '7' },
    ]);
    assert.deepEqual(decisions, {
      '3/00001.png': { action: 'relabel', label: '8' },
      '1/00002.png': { action: 'relabel', label: '7' },
    });
    assert.deepEqual(acceptSuggestions([]), {});
  });

  it('refuses conflicting suggestions for one path and unusable labels', () => {
    assert.throws(
      () =>
        acceptSuggestions([
          { path: 'a.png', suggestedLabel: '1' },
          { path: 'a.png', suggestedLabel: '2' },
        ]),
      (error: unknown) =>
        AuditError.is(error, 'decisionsMalformed') && /"a\.png" has two different suggestions/.test(error.message),
    );
    assert.throws(
      () => acceptSuggestions([{ path: 'b.png', suggestedLabel: '' }]),
      (error: unknown) =>
        AuditError.is(error, 'decisionsMalformed') && /"b\.png" must not be empty/.test(error.message),
    );
  });
});

test('sameDecision (one copy for the review log and the webview): action, the label of a relabel, and pending', async () => {
  assert.ok(sameDecision({ action: 'relabel', label: '3' }, { action: 'relabel', label: '3' }));
  assert.ok(!sameDecision({ action: 'relabel', label: '3' }, { action: 'relabel', label: '5' }));
  assert.ok(!sameDecision({ action: 'keep' }, { action: 'remove' }));
  assert.ok(sameDecision(null, null));
  assert.ok(!sameDecision(null, { action: 'keep' }) && !sameDecision({ action: 'keep' }, null));
  // The webview imports this very function (src/core/shared is browser-safe), not a copy of its own.
  const webviewState = await readFile(join(REPO, 'webview', 'state', 'reviewState.ts'), 'utf8');
  assert.match(
    webviewState,
    /import \{[^}]*\bsameDecision\b[^}]*\} from '\.\.\/\.\.\/src\/core\/shared\/decisionValues'/,
  );
});
