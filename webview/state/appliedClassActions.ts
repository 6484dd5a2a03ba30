/**
 * The review as the class actions (merges, renames) make it, with no DOM: the content with every
 * class name mapped, the per-class bars, and the undo step of a class action. The webview shows
 * what export will write, so filters, the relabel picker and the heatmap see the new names.
 * Unit-tested in Node (test/unit/webview/appliedClassActions.unit.test.ts).
 */
import type {
  ClassAction,
  ClassExampleView,
  MapView,
  ClassHealth,
  Decision,
  Decisions,
  MergeSuggestion,
  ReviewContent,
  SuspectView,
  SwapMatrixView,
} from '../../src/protocol/webview';
import { classesAfter, mapClass } from '../../src/core/shared/classActions';

type ReadyContent = Extract<ReviewContent, { status: 'ready' }>;

/**
 * The decisions with every relabel's class under its name after `actions`. The host stores relabels
 * under the names the reviewer saw (export maps them the same way), while everything the panel
 * shows and counts compares them with the mapped labels of the content: without this, an accepted
 * "5" counts as a relabel once "5" is renamed. Returns `decisions` itself when nothing changes.
 */
export function decisionsAfterClassActions(decisions: Decisions, actions: readonly ClassAction[]): Decisions {
  let changed = false;
  const follow = (decision: Decision): Decision => {
    if (decision.action !== 'relabel') return decision;
    const label = mapClass(decision.label, actions);
    if (label === decision.label) return decision;
    changed = true;
    return { action: 'relabel', label };
  };
  // fromEntries defines own properties, so a sample path such as "__proto__" stays a plain key.
  const mapped = Object.fromEntries(Object.entries(decisions).map(([path, decision]) => [path, follow(decision)]));
  return changed ? mapped : decisions;
}

/**
 * The embedding map's labels after the class actions: names mapped, merged ones one entry (and one
 * colour). The points array is the same object, so the panel keeps its view and hit-test index.
 */
function mapAfterClassActions(view: MapView, map: (label: string) => string): MapView {
  const labelNames: string[] = [];
  const renumbered = view.labelNames.map((name) => {
    const mapped = map(name);
    const at = labelNames.indexOf(mapped);
    return at >= 0 ? at : labelNames.push(mapped) - 1;
  });
  return { ...view, labelNames, labels: view.labels.map((label) => renumbered[label]) };
}

/**
 * The content with the class actions applied: classes merged or renamed, every suspect's given and
 * suggested label, conflict members' labels, the swap matrix (rows and columns of merged classes
 * added up) and the per-class figures. Merge suggestions already carried out are dropped.
 * Returns `content` itself when there are no actions.
 */
export function contentAfterClassActions(content: ReadyContent, actions: readonly ClassAction[]): ReadyContent {
  if (actions.length === 0) return content;
  const map = (label: string) => mapClass(label, actions);
  const classes = classesAfter(content.classes, actions);
  const mapSample = (s: SuspectView): SuspectView => ({
    ...s,
    givenLabel: map(s.givenLabel),
    suggestedLabel: map(s.suggestedLabel),
  });
  return {
    ...content,
    classes,
    suspects: content.suspects.map(mapSample),
    ...(content.spotCheck
      ? { spotCheck: { ...content.spotCheck, samples: content.spotCheck.samples.map(mapSample) } }
      : {}),
    ...(content.classExamples ? { classExamples: mergeExamples(content.classExamples, map) } : {}),
    ...(content.conflicts
      ? {
          conflicts: content.conflicts.map((g) => ({
            ...g,
            members: g.members.map((m) => ({ ...m, label: map(m.label) })),
          })),
        }
      : {}),
    ...(content.swaps ? { swaps: mergeSwaps(content.swaps, classes, map) } : {}),
    ...(content.health
      ? {
          health: {
            ...content.health,
            issues: content.health.issues.map((i) => ({
              ...i,
              examples: i.examples.map((e) => ({ ...e, label: map(e.label) })),
            })),
            ...(content.health.leakySplits
              ? {
                  leakySplits: {
                    ...content.health.leakySplits,
                    groups: content.health.leakySplits.groups.map((g) => ({
                      ...g,
                      members: g.members.map((m) => ({ ...m, label: map(m.label) })),
                    })),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(content.map ? { map: mapAfterClassActions(content.map, map) } : {}),
    ...(content.classHealth ? { classHealth: mergeHealth(content.classHealth, classes, map) } : {}),
    ...(content.mergeSuggestions
      ? { mergeSuggestions: content.mergeSuggestions.filter((m) => map(m.from) !== map(m.into)) }
      : {}),
  };
}

/** Each class's typical images under its new name; a merged class shows its target's own images. */
function mergeExamples(
  examples: NonNullable<ReadyContent['classExamples']>,
  map: (label: string) => string,
): Record<string, readonly ClassExampleView[]> {
  const merged = new Map<string, readonly ClassExampleView[]>();
  for (const [label, list] of Object.entries(examples)) {
    const name = map(label);
    if (!merged.has(name) || label === name) merged.set(name, list);
  }
  return Object.fromEntries(merged);
}

function mergeSwaps(swaps: SwapMatrixView, classes: readonly string[], map: (label: string) => string): SwapMatrixView {
  const index = new Map(classes.map((name, i) => [name, i]));
  const counts = classes.map(() => classes.map(() => 0));
  swaps.counts.forEach((row, g) =>
    row.forEach((n, o) => {
      counts[index.get(map(swaps.classes[g])) ?? 0][index.get(map(swaps.classes[o])) ?? 0] += n;
    }),
  );
  return { ...swaps, classes, counts };
}

/**
 * Per-class figures of the merged classes: counts added up. The audit's warnings stay with the
 * classes they were about, joined when classes merge: the verdicts were made on the old classes.
 */
function mergeHealth(
  health: readonly ClassHealth[],
  classes: readonly string[],
  map: (label: string) => string,
): ClassHealth[] {
  return classes.map((name) => {
    const parts = health.filter((h) => map(h.name) === name);
    const count = parts.reduce((sum, h) => sum + h.count, 0);
    const flagged = parts.reduce((sum, h) => sum + h.flagged, 0);
    const heldBack = parts.reduce((sum, h) => sum + h.heldBack, 0);
    const warnings = parts
      .filter((h) => h.warning)
      .map((h) => (h.name === name ? h.warning : `(as "${h.name}") ${h.warning}`));
    // Still rare after a merge only when the merged class is short of what its largest part needed.
    const enough = Math.max(0, ...parts.map((h) => h.enough ?? 0));
    return {
      name,
      count,
      flagged,
      heldBack,
      flagRate: count === 0 ? 0 : flagged / count,
      ...(enough > count ? { enough } : {}),
      ...(warnings.length ? { warning: warnings.join(' ') } : {}),
    };
  });
}

/** One bar of the per-class chart. */
export interface ClassBar {
  readonly name: string;
  readonly count: number;
  readonly flagged: number;
  readonly flagRate: number;
  /** count / the largest class's count, in [0, 1]. */
  readonly countShare: number;
  readonly warning?: string;
  /** What a screen reader announces for the row. */
  readonly label: string;
}

/** The chart's bars, in class order; empty when the report has no per-class figures. */
export function classBars(health: readonly ClassHealth[] | undefined): ClassBar[] {
  if (!health) return [];
  const max = Math.max(1, ...health.map((h) => h.count));
  return health.map((h) => ({
    name: h.name,
    count: h.count,
    flagged: h.flagged,
    flagRate: h.flagRate,
    countShare: h.count / max,
    ...(h.warning ? { warning: h.warning } : {}),
    label: `${h.name}: ${h.count} ${h.count === 1 ? 'image' : 'images'}, ${h.flagged} flagged (${percent(h.flagRate)})${h.warning ? ', too few for a reliable verdict' : ''}`,
  }));
}

/** A merge suggestion in words. */
export function mergeHint(m: MergeSuggestion): string {
  return `The models mostly confuse “${m.from}” and “${m.into}”: ${percent(m.fromShare)} of “${m.from}” look like “${m.into}”, ${percent(m.intoShare)} of “${m.into}” like “${m.from}”.`;
}

/** A class action in words, for the list of changes and the undo button. */
export function describeClassAction(action: ClassAction): string {
  return action.action === 'merge'
    ? `Merged “${action.from}” into “${action.into}”`
    : `Renamed “${action.from}” to “${action.to}”`;
}

export function percent(rate: number): string {
  return `${Math.round(100 * rate)}%`;
}
