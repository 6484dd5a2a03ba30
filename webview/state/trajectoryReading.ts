/**
 * What ERM's training trajectory says about one sample, in words (the report's `dynamics`,
 * docs/learning-dynamics.md): the figures the preview lists beside the margin sparkline, and the
 * one-line reading of the curve — the paper's evidence of memorization, per sample.
 */
import type { SuspectView } from '../../src/protocol/webview';
import type { FigureRow } from './userModelFigures';

type Dynamics = NonNullable<SuspectView['dynamics']>;

/** How the margin curve reads: flat and high (clean), climbing late (memorized), or negative (rejected). */
export type TrajectoryShape = 'early' | 'late' | 'rejected';

/**
 * 'rejected' when ERM did not predict the given label at its last visit; 'late' when it settled on
 * it only in the second half of the run, or forgot it again at least once; 'early' otherwise.
 */
export function trajectoryShape(dynamics: Dynamics): TrajectoryShape {
  if (dynamics.learnedEpoch === 0) return 'rejected';
  return dynamics.learnedEpoch > dynamics.epochs / 2 || dynamics.forgotten > 0 ? 'late' : 'early';
}

const READINGS: Record<TrajectoryShape, string> = {
  early: 'Learned early and kept: typical of a correct label.',
  late: 'Learned late or forgotten on the way: typical of a label the network had to memorize.',
  rejected: 'Never settled on the given label: the network kept preferring another class.',
};

/** The sentence under the sparkline. */
export function trajectoryReading(dynamics: Dynamics): string {
  return READINGS[trajectoryShape(dynamics)];
}

/** Term–value rows: area under the margin, when the label was learned, forgetting events. */
export function trajectoryFigures(dynamics: Dynamics): FigureRow[] {
  return [
    { term: 'Area under the margin', value: signed(dynamics.aum) },
    {
      term: 'Learned at epoch',
      value:
        dynamics.learnedEpoch === 0
          ? `never (of ${dynamics.epochs})`
          : `${dynamics.learnedEpoch} of ${dynamics.epochs}`,
    },
    { term: 'Forgotten', value: ['never', 'once'][dynamics.forgotten] ?? `${dynamics.forgotten} times` },
  ];
}

/** The sparkline's accessible name: the curve's start, lowest, end, and its reading. */
export function sparklineLabel(dynamics: Dynamics): string {
  const { margins } = dynamics;
  if (margins.length === 0) return 'No margin curve recorded.';
  return (
    `Margin of the given label over ERM's ${dynamics.epochs} epochs: from ${signed(margins[0])} ` +
    `to ${signed(margins.at(-1)!)}, lowest ${signed(Math.min(...margins))}. ${trajectoryReading(dynamics)}`
  );
}

/** A figure with its sign, a true minus for negatives: "+2.4", "−1.3". */
function signed(value: number): string {
  const text = Math.abs(value).toFixed(1);
  return value < 0 && text !== '0.0' ? `−${text}` : value > 0 && text !== '0.0' ? `+${text}` : text;
}
