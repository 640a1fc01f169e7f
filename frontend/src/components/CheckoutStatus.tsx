import { useServerNow } from '../hooks/useServerNow';
import { formatCountdown, secondsLeft } from '../lib/clock';
import type { PurchaseStatus } from '../lib/types';

interface Props {
  /** The status of a purchase in a sale with checkout… */
  status: PurchaseStatus;
  /** …and when its hold expires, unless paid first. */
  expiresAt: string;
  offsetMs: number;
  /** Where to pay the hold; null when the shop has no payment page. */
  payHref: string | null;
  givingUp: boolean;
  onGiveUp: () => void;
}

const ended: Record<Exclude<PurchaseStatus, 'HELD'>, string> = {
  CONFIRMED: "Paid — it's yours.",
  EXPIRED: 'Your hold expired, the units went back on sale.',
  CANCELLED: 'You gave up your hold, the units went back on sale.',
};

/** The shopper's hold: how long it lasts, Pay now and Give up; or how it ended. */
export function CheckoutStatus({ status, expiresAt, offsetMs, payHref, givingUp, onGiveUp }: Props) {
  return (
    <div className={`checkout checkout-${status.toLowerCase()}`} data-testid="checkout" data-status={status}>
      {/* announced when the status changes; the countdown inside is not, every second */}
      <p className="checkout-status" aria-live="polite">
        {status === 'HELD' ? (
          <>
            Reserved for you — pay within <HoldCountdown expiresAt={expiresAt} offsetMs={offsetMs} />
          </>
        ) : (
          ended[status]
        )}
      </p>
      {status === 'HELD' && (
        <div className="checkout-actions">
          {payHref !== null ? (
            <a className="pay" href={payHref}>
              Pay now
            </a>
          ) : (
            <p className="hint">This shop takes no payments right now.</p>
          )}
          {/* focusable while on its way, as the Buy button: usePurchase ignores clicks meanwhile */}
          <button type="button" className="secondary" onClick={onGiveUp} aria-disabled={givingUp} aria-busy={givingUp}>
            {givingUp ? 'Giving up…' : 'Give up'}
          </button>
        </div>
      )}
    </div>
  );
}

/** The time left on the server clock, ticking every second (its own re-render, not the form's). */
function HoldCountdown({ expiresAt, offsetMs }: { expiresAt: string; offsetMs: number }) {
  const now = useServerNow(offsetMs);
  return (
    <time className="num" role="timer" aria-live="off" dateTime={expiresAt} data-testid="hold-countdown">
      {formatCountdown(secondsLeft(Date.parse(expiresAt), now))}
    </time>
  );
}
