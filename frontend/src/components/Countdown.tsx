import { countdownTarget, formatCountdown, secondsLeft } from '../lib/clock';
import { endReasonSentence } from '../lib/saleText';
import type { SaleView } from '../lib/types';

interface Props {
  view: Pick<SaleView, 'state' | 'startTime' | 'endTime' | 'endReason'>;
  /** Current server time (epoch ms). */
  now: number;
}

export function Countdown({ view, now }: Props) {
  const target = countdownTarget(view);
  if (target === null) {
    return (
      <p className="countdown countdown-ended" data-testid="end-reason" data-end-reason={view.endReason ?? ''}>
        {endReasonSentence(view.endReason)}
      </p>
    );
  }
  const label = target.kind === 'start' ? 'Starts in' : 'Ends in';
  if (Number.isNaN(target.at)) return <p className="countdown">{label} –</p>;
  return (
    <p className="countdown" data-testid="countdown">
      <span className="countdown-label">{label}</span>{' '}
      {/* role=timer is not announced every second; the state badge carries the change */}
      <time className="countdown-value num" role="timer" dateTime={new Date(target.at).toISOString()}>
        {formatCountdown(secondsLeft(target.at, now))}
      </time>
    </p>
  );
}
