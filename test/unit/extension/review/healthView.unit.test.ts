import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AuditReport } from '../../../../src/core/report';
import { formatHealth } from '../../../../src/cli/healthSummary';
import { buildReviewContent } from '../../../../src/extension/review/reviewContent';
import {
  MAX_ISSUE_EXAMPLES,
  MAX_LEAK_GROUPS,
  MAX_LEAK_MEMBERS,
  MAP_MARK_SUSPECT,
  mapIssueMark,
  parseHostMessage,
  type ReviewContent,
} from '../../../../src/protocol/webview';
import {
  healthDigitsReport,
  leakMember,
  withHealthEdits,
  type PlantedIssues,
} from '../../../helpers/healthDigitsReport';
import { sampleDigitsReport } from '../../../helpers/sampleReport';
import { makeTempDir, removeTempDir } from '../../../helpers/tempDir';

let dir: string;
let report: AuditReport;
let planted: PlantedIssues;

before(async () => {
  dir = await makeTempDir('health-view');
  ({ report, planted } = await healthDigitsReport(join(dir, 'digits')));
});
after(() => removeTempDir(dir));

function healthOf(content: ReviewContent) {
  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') throw new Error('not ready');
  return content.health;
}

const plantedAs = (defect: string) =>
  [...planted]
    .filter(([, d]) => d === defect)
    .map(([p]) => p)
    .sort();

test("the Issues view lists each type's worst images, its figures and why, from the report's health section", () => {
  const health = healthOf(buildReviewContent(report, 1000, (p) => `uri:${p}`));
  assert.ok(health);
  const byType = new Map(health.issues.map((i) => [i.type, i]));
  assert.deepEqual(
    [...byType.keys()],
    ['outliers', 'dark', 'light', 'blurry', 'lowInformation', 'oddAspectRatio', 'oddSize', 'grayscale'],
  );
  for (const type of ['dark', 'blurry'] as const) {
    const issue = byType.get(type)!;
    const source = report.health!.imageQuality.types[type];
    assert.deepEqual(issue.examples.map((e) => e.path).sort(), plantedAs(type), `${type}: the planted images`);
    assert.equal(issue.count, source.count);
    assert.equal(issue.threshold, source.threshold);
    assert.equal(issue.why, source.why);
    assert.equal(issue.datasetProperty, false);
    for (const e of issue.examples) {
      const sample = report.samples.find((s) => s.path === e.path)!;
      assert.equal(e.label, sample.givenLabel);
      assert.ok(e.score < issue.threshold, `${e.path} scores below the threshold`);
    }
  }
  const outliers = byType.get('outliers')!;
  const source = report.health!.outliers!;
  assert.ok(outliers.count > 0 && outliers.count === source.count);
  assert.deepEqual(
    outliers.examples.map((e) => e.path),
    source.flagged.slice(0, MAX_ISSUE_EXAMPLES).map((at) => report.samples[at].path),
    "the report's flagged outliers, in its order",
  );
  const scores = outliers.examples.map((e) => e.score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => a - b),
    'worst (lowest score) first',
  );
  assert.equal(byType.get('light')!.count, 0);
  assert.equal(byType.get('light')!.examples.length, 0);
  assert.equal(health.leakySplits, undefined, 'the digits have no splits');
  // Never every sample's score: only the examples shown.
  assert.ok(!JSON.stringify(health).includes('"scores"'));
  const message = { type: 'suspects/didChange', datasetRoot: dir, datasetName: 'digits', decisions: {} };
  const parsed = parseHostMessage({ ...message, content: buildReviewContent(report, 1000, (p) => p) });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problem);
});

test('a report without a health section has no Issues view', async () => {
  assert.equal(healthOf(buildReviewContent(await sampleDigitsReport(), 1000, (p) => p)), undefined);
});

test('the content stays bounded: the worst examples only, the first leaked groups, positions that name no sample dropped', () => {
  const everyone = report.samples.map((_, i) => i);
  const groups = Array.from({ length: MAX_LEAK_GROUPS + 7 }, (_, g) => ({
    kind: 'exact' as const,
    members: report.samples
      .slice(g * 3, g * 3 + MAX_LEAK_MEMBERS + 2)
      .map((_, m) => leakMember(report, g * 3 + m, m === 0 ? 'train' : 'test')),
  }));
  const edited = withHealthEdits(report, {
    dark: { count: everyone.length + 1, flagged: [99_999, ...everyone], scores: everyone.map(() => 0.1) },
    leaks: { source: 'folders', groups },
  });
  const health = healthOf(buildReviewContent(edited, 1000, (p) => p))!;
  const shown = health.issues.find((i) => i.type === 'dark')!;
  assert.equal(shown.examples.length, MAX_ISSUE_EXAMPLES);
  assert.equal(shown.examples[0].path, report.samples[0].path, 'position 99 999 names no sample: dropped');
  assert.equal(shown.count, everyone.length + 1);
  const leaks = health.leakySplits!;
  assert.equal(leaks.groupCount, MAX_LEAK_GROUPS + 7);
  assert.equal(leaks.groups.length, MAX_LEAK_GROUPS);
  assert.equal(leaks.groups[0].size, MAX_LEAK_MEMBERS + 2);
  assert.equal(leaks.groups[0].members.length, MAX_LEAK_MEMBERS);
  assert.deepEqual(leaks.groups[0].members[0], {
    path: report.samples[0].path,
    label: report.samples[0].givenLabel,
    split: 'train',
  });
  // Class counts in the dataset's class order; the test split has none of the last class.
  assert.deepEqual(leaks.classes, report.dataset.classes);
  const tens = report.dataset.classes.map((_, i) => (i === report.dataset.classes.length - 1 ? 0 : 10));
  assert.deepEqual(leaks.splits, [
    { split: 'train', samples: 300, classCounts: report.dataset.classes.map(() => 30) },
    { split: 'test', samples: 100, classCounts: tens },
  ]);
  // The contract refuses more than it allows, should a host ever send it.
  const content = buildReviewContent(edited, 1000, (p) => p);
  assert.ok(content.status === 'ready' && content.health);
  const tooMany = {
    ...content,
    health: {
      ...content.health,
      issues: [{ ...shown, examples: [...shown.examples, shown.examples[0]] }],
    },
  };
  const parsed = parseHostMessage({
    type: 'suspects/didChange',
    datasetRoot: '/d',
    datasetName: 'd',
    content: tooMany,
    decisions: {},
  });
  assert.ok(!parsed.ok);
  assert.match(parsed.problem, /examples.*at most 48/);
});

test("the CLI's health summary names the class a split lacks", () => {
  const edited = withHealthEdits(report, {
    dark: {},
    leaks: {
      source: 'column',
      groups: [{ kind: 'exact', members: [leakMember(report, 0, 'train'), leakMember(report, 1, 'test')] }],
    },
  });
  const lines = formatHealth(edited);
  const last = report.dataset.classes.at(-1)!;
  assert.ok(lines.includes(`  classes missing from a split: test has no "${last}"`), lines.join('\n'));
  assert.ok(!formatHealth(report).some((l) => l.includes('missing from a split')), 'no splits, no line');
});

test('a large leaked set shows a copy from every split, in the panel and the CLI summary', () => {
  // 30 training copies sort before the one test copy: the first eight members are all training ones.
  const members = [...report.samples.slice(0, 30).map((_, i) => leakMember(report, i, 'train'))];
  members.push(leakMember(report, 30, 'test'));
  const edited = withHealthEdits(report, {
    dark: {},
    leaks: { source: 'folders', groups: [{ kind: 'exact', members }] },
  });
  const group = healthOf(buildReviewContent(edited, 1000, (p) => p))!.leakySplits!.groups[0];
  assert.equal(group.size, 31);
  assert.deepEqual(group.splits, ['train', 'test']);
  assert.equal(group.members.length, MAX_LEAK_MEMBERS);
  assert.deepEqual(
    group.members.slice(0, 3).map((m) => [m.path, m.split]),
    [
      [report.samples[0].path, 'train'],
      [report.samples[30].path, 'test'],
      [report.samples[1].path, 'train'],
    ],
  );
  const line = formatHealth(edited).find((l) => l.includes('cross splits'))!;
  assert.ok(line.includes(`${report.samples[30].path} [test]`), line);
  assert.ok(line.endsWith('= … (31 files)'), line);
  assert.equal(line.split(' = ').length, 5, 'four members and the count, not 31 paths');
});

test("the Map view's content has every sample: its point, label index, and marks for a flag and each issue type", () => {
  const content = buildReviewContent(report, 1000, (p) => `uri:${p}`);
  assert.equal(content.status, 'ready');
  if (content.status !== 'ready') return;
  const map = content.map;
  assert.ok(map, 'a report with health.map has a Map view');
  assert.deepEqual(
    map.paths,
    report.samples.map((s) => s.path),
  );
  assert.equal(map.method, report.health!.map!.method);
  assert.deepEqual(map.points, report.health!.map!.points);
  report.samples.forEach((s, i) => {
    assert.equal(map.labelNames[map.labels[i]], s.givenLabel);
    assert.equal((map.marks[i] & MAP_MARK_SUSPECT) !== 0, s.flagged, s.path);
  });
  assert.deepEqual(
    map.issueTypes,
    content.health!.issues.map((i) => i.title),
  );
  const darkBit = mapIssueMark(map.issueTypes.indexOf('Dark images'));
  assert.deepEqual(
    map.paths.filter((_, i) => map.marks[i] & darkBit).sort(),
    plantedAs('dark'),
    'the dark bit marks the planted dark images',
  );
  // It passes the protocol's check, and a point outside [0, 1] does not.
  const message = (m: typeof map) => ({
    type: 'suspects/didChange',
    datasetRoot: '/d',
    datasetName: 'd',
    content: { ...content, map: m },
    decisions: {},
  });
  assert.ok(parseHostMessage(message(map)).ok);
  const broken = parseHostMessage(message({ ...map, points: [2, ...map.points.slice(1)] }));
  assert.deepEqual(broken, {
    ok: false,
    problem: 'suspects/didChange: "content.map.points" must be numbers in [0, 1] or -1',
  });
  const short = parseHostMessage(message({ ...map, labels: map.labels.slice(1) }));
  assert.equal(short.ok, false);
});

test('a report without a map has no Map view', async () => {
  const content = buildReviewContent(await sampleDigitsReport(), 1000, (p) => p);
  assert.equal(content.status === 'ready' && content.map, undefined);
});
