/**
 * The conflicting-duplicates view's logic, with no DOM: which groups are resolved and what a member's
 * decision does. Unit-tested in Node.
 */
import type { ConflictGroupView, ConflictMemberView, Decisions } from '../../src/protocol/webview';
import { ownValue } from '../../src/core/shared/ownValue';

/** Groups in the view and how many have a decision for every member. */
export function conflictProgress(
  groups: readonly ConflictGroupView[],
  decisions: Decisions,
): { resolved: number; total: number } {
  const resolved = groups.filter((group) =>
    group.members.every((m) => ownValue(decisions, m.path) !== undefined),
  ).length;
  return { resolved, total: groups.length };
}

/**
 * A member (of a conflicting group, or an image of the Issues view) as the shared decision logic
 * (`planAction`) sees a sample: no suggestion of its own.
 */
export function conflictTarget(member: Pick<ConflictMemberView, 'path' | 'label'>): {
  path: string;
  givenLabel: string;
  suggestedLabel: string;
} {
  return { path: member.path, givenLabel: member.label, suggestedLabel: member.label };
}

/** The group's labels other than `label`, as quick relabel choices ("this copy is really a 7"). */
export function otherLabels(group: ConflictGroupView, label: string): string[] {
  return [...new Set(group.members.map((m) => m.label))].filter((other) => other !== label);
}

/** The label a member ends with under its decision: removed → null. */
export function finalLabel(member: ConflictMemberView, decisions: Decisions): string | null {
  const decision = ownValue(decisions, member.path);
  if (decision?.action === 'remove') return null;
  return decision?.action === 'relabel' ? decision.label : member.label;
}
