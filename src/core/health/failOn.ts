/**
 * The CI gate on dataset health: `--fail-on outliers>1%,blurry>5%,leakySplits>0` parsed into rules,
 * and a report checked against them. A rule's limit is a share of the audited images (`5%`) or a
 * number of images (`3`); a rule fails when the type's count is above it. A type that is a dataset
 * property (it fired on more than 10%) still counts every image it fired on.
 */

import { AuditError } from '../errors';
import { QUALITY_TYPES } from './imageQuality';
import type { ReportHealth } from './healthReport';

/** The names a rule may use: the image-quality types, `outliers` and `leakySplits`. */
export const GATE_TYPES = [...QUALITY_TYPES, 'outliers', 'leakySplits'] as const;
export type GateType = (typeof GATE_TYPES)[number];

/** One parsed rule: fail when `type`'s count is above `limit` (a share when `percent`, else images). */
export interface GateRule {
  readonly type: GateType;
  readonly limit: number;
  readonly percent: boolean;
  /** The rule as written, for messages. */
  readonly text: string;
}

/** A rule that failed, with the figure that broke it. */
export interface GateFailure {
  readonly rule: GateRule;
  readonly count: number;
  readonly share: number;
}

/** `low-information`, `low_information` and `lowinformation` all name `lowInformation`. */
function canonical(name: string): GateType | undefined {
  const squashed = name.replace(/[-_\s]/g, '').toLowerCase();
  const aliases: Record<string, GateType> = { outlier: 'outliers', leaks: 'leakySplits', leaky: 'leakySplits' };
  return GATE_TYPES.find((type) => type.toLowerCase() === squashed) ?? aliases[squashed];
}

/**
 * Parses `type>limit[,type>limit…]`.
 * @throws AuditError('badOption') naming the bad rule and what was expected.
 */
export function parseFailOn(text: string): GateRule[] {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) fail(`--fail-on needs at least one rule such as "outliers>1%", not ${JSON.stringify(text)}`);
  return parts.map((part) => {
    const match = /^([A-Za-z_-]+)\s*>\s*(\d+(?:\.\d+)?)\s*(%?)$/.exec(part);
    if (!match)
      fail(
        `--fail-on rule ${JSON.stringify(part)} is not of the form <type>><limit>, e.g. "blurry>5%" or "leakySplits>0"`,
      );
    const type = canonical(match[1]);
    if (!type)
      fail(`--fail-on rule ${JSON.stringify(part)}: unknown type "${match[1]}"; known: ${GATE_TYPES.join(', ')}`);
    const limit = Number(match[2]);
    const percent = match[3] === '%';
    if (percent && limit > 100) fail(`--fail-on rule ${JSON.stringify(part)}: a share is at most 100%`);
    if (!percent && !Number.isInteger(limit))
      fail(
        `--fail-on rule ${JSON.stringify(part)}: a count of images is a whole number (or write a share, e.g. "${limit}%")`,
      );
    return { type, limit: percent ? limit / 100 : limit, percent, text: part };
  });
}

/**
 * The rules `health` breaks. A rule on a type the audit did not measure (no outliers without
 * embeddings, no leaks without splits) passes: zero images have that issue.
 */
export function checkGate(
  rules: readonly GateRule[],
  health: ReportHealth | undefined,
  audited: number,
): GateFailure[] {
  return rules.flatMap((rule) => {
    const count = gateCount(rule.type, health);
    const share = audited === 0 ? 0 : count / audited;
    return (rule.percent ? share > rule.limit : count > rule.limit) ? [{ rule, count, share }] : [];
  });
}

function gateCount(type: GateType, health: ReportHealth | undefined): number {
  if (!health) return 0;
  if (type === 'outliers') return health.outliers?.count ?? 0;
  if (type === 'leakySplits') return health.leakySplits?.images ?? 0;
  return health.imageQuality.types[type].count;
}

function fail(message: string): never {
  throw new AuditError('badOption', `${message}.`);
}
