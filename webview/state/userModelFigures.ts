/**
 * The user's own model's figures for one sample (audits with `--pred-probs` / `--embeddings`), as
 * term–value rows the preview lists under "Your model" and the card's tooltip repeats: its probability
 * of the given label and its suggestion, then the share of the nearest images in its embedding space
 * that carry the given label and the label most of them carry. Each suggestion says whether it agrees
 * with ours, so the reviewer sees at a glance which evidence agrees.
 */
import type { SuspectView } from '../../src/protocol/webview';
import { percent } from '../format';

/** One figure: what it is, and its value. */
export interface FigureRow {
  readonly term: string;
  readonly value: string;
}

/** Rows for the user's model's figures of `suspect`; none when the audit had no such files. */
export function userModelFigures(suspect: SuspectView): FigureRow[] {
  const rows: FigureRow[] = [];
  const { predProbs, neighbours } = suspect.userModel ?? {};
  if (predProbs) {
    rows.push({ term: 'Given label', value: percent(predProbs.given) });
    rows.push({ term: 'Suggests', value: suggestion(predProbs.suggestion, suspect) });
  }
  if (neighbours) {
    rows.push({ term: 'Neighbours agreeing', value: percent(neighbours.agreement) });
    rows.push({ term: 'Neighbours suggest', value: suggestion(neighbours.suggestion, suspect) });
  }
  return rows;
}

// Both suggestions are the best class other than the given one (as ours is), so they compare with ours.
function suggestion(label: string, suspect: SuspectView): string {
  return label === suspect.suggestedLabel ? `${label} (as ours)` : `${label} (ours: ${suspect.suggestedLabel})`;
}
