import { useId, useRef, type FormEvent } from 'react';
import { useAuth, type Session } from '../hooks/useAuth';
import { usePurchase } from '../hooks/usePurchase';
import { paymentHref, saleReturnUrl } from '../lib/checkout';
import type { CheckoutConfig, SaleView } from '../lib/types';
import { AuthUnavailable } from './AuthUnavailable';
import { CheckoutStatus } from './CheckoutStatus';
import { PurchaseDetails } from './PurchaseDetails';

interface Props {
  view: SaleView;
  offsetMs: number;
}

const buttonText: Record<SaleView['state'], string> = {
  UPCOMING: 'Not started yet',
  ACTIVE: 'Buy now',
  PAUSED: 'Paused',
  ENDED: 'Sale ended',
};

/** The purchase form and its answer, once the shop has said how it identifies shoppers. */
export function PurchasePanel({ view, offsetMs }: Props) {
  const auth = useAuth();
  const titleId = useId();
  return (
    <section className="panel purchase" aria-labelledby={titleId}>
      <h2 id={titleId}>Buy</h2>
      {auth.status === 'ready' ? (
        // Keyed by shopper: a sign-in or sign-out starts afresh, with that shopper's purchase.
        <PurchaseForm
          key={auth.session.mode === 'oidc' ? (auth.session.user?.sub ?? '') : auth.session.mode}
          view={view}
          offsetMs={offsetMs}
          session={auth.session}
          checkout={auth.checkout ?? null}
        />
      ) : auth.status === 'unavailable' ? (
        <AuthUnavailable auth={auth} blocked="You can buy" />
      ) : (
        <p className="loading" role="status">
          Getting ready…
        </p>
      )}
    </section>
  );
}

/** The form itself; the flow is usePurchase's. */
function PurchaseForm({ view, offsetMs, session, checkout }: Props & { session: Session; checkout: CheckoutConfig | null }) {
  const { state, userId, setUserId, confirmUserId, qty, setQty, buy, purchase, giveUp, givingUp } = usePurchase(view, offsetMs, session);
  const userIdInput = useRef<HTMLInputElement>(null);
  const qtyInput = useRef<HTMLInputElement>(null);
  const ids = useId();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const started = buy();
    if (started === 'invalid-user-id') userIdInput.current?.focus();
    else if (started === 'invalid-qty') qtyInput.current?.focus();
  };

  const pending = state.status === 'pending';
  const outcome = state.status === 'done' ? state.outcome : null;
  const userIdError = state.status === 'invalid' ? state.userIdError : null;
  const qtyError = state.status === 'invalid' ? state.qtyError : null;

  const userIdNoteId = `${ids}-user-note`;
  const userIdErrorId = `${ids}-user-error`;
  const qtyErrorId = `${ids}-qty-error`;
  // Signed out, the button signs in: ahead of the start too, but not once the sale is over.
  const signInFirst = session.mode === 'oidc' && session.user === null && view.state !== 'ENDED';
  const canBuy = view.state === 'ACTIVE' || signInFirst;

  return (
    <>
      <form onSubmit={onSubmit} noValidate>
        {session.mode === 'none' && (
          <div className="field">
            <label htmlFor={`${ids}-user`}>Your user id</label>
            <input
              ref={userIdInput}
              id={`${ids}-user`}
              name="userId"
              type="text"
              autoComplete="username"
              spellCheck={false}
              value={userId}
              onChange={(e) => setUserId(e.target.value)}
              onBlur={confirmUserId}
              aria-invalid={userIdError !== null}
              aria-describedby={userIdError !== null ? `${userIdNoteId} ${userIdErrorId}` : userIdNoteId}
            />
            <p id={userIdNoteId} className="hint test-mode">
              Test mode: self-reported shopper id, no sign-in.
            </p>
            {userIdError !== null && (
              <p id={userIdErrorId} className="field-error" role="alert">
                {userIdError}
              </p>
            )}
          </div>
        )}
        {view.perUserLimit > 1 && (
          <div className="field field-qty">
            <label htmlFor={`${ids}-qty`}>Quantity (at most {view.perUserLimit})</label>
            <input
              ref={qtyInput}
              id={`${ids}-qty`}
              name="qty"
              type="number"
              inputMode="numeric"
              min={1}
              max={view.perUserLimit}
              step={1}
              value={qty}
              onChange={(e) => setQty(e.target.value)}
              aria-invalid={qtyError !== null}
              aria-describedby={qtyError !== null ? qtyErrorId : undefined}
            />
            {qtyError !== null && (
              <p id={qtyErrorId} className="field-error" role="alert">
                {qtyError}
              </p>
            )}
          </div>
        )}
        {/* While pending the button stays focusable (aria-disabled, not disabled): a disabled
            button drops keyboard focus to the page body. usePurchase ignores clicks meanwhile. */}
        <button type="submit" className="buy" disabled={!canBuy} aria-disabled={pending} aria-busy={pending}>
          {pending ? 'Buying…' : signInFirst ? 'Sign in to buy' : buttonText[view.state]}
        </button>
        <p className="hint">
          {view.perUserLimit === 1 ? 'One per shopper.' : `Up to ${view.perUserLimit} per shopper.`}
        </p>
      </form>

      <div className="outcome-region" role="status" aria-live="polite" aria-atomic="true">
        {outcome && (
          <div className={`outcome outcome-${outcome.kind}`} data-outcome={outcome.code}>
            <p className="outcome-title">{outcome.title}</p>
            <p>{outcome.detail}</p>
            {outcome.fields && outcome.fields.length > 0 && (
              <ul>
                {outcome.fields.map(([field, message]) => (
                  <li key={field}>
                    {field}: {message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>

      {purchase && purchase.expiresAt !== null && (
        <CheckoutStatus
          status={purchase.status}
          expiresAt={purchase.expiresAt}
          offsetMs={offsetMs}
          payHref={checkout && paymentHref(checkout.paymentUrl, purchase.purchaseId, saleReturnUrl(view.id))}
          givingUp={givingUp}
          onGiveUp={giveUp}
        />
      )}
      {purchase && <PurchaseDetails purchase={purchase} />}
    </>
  );
}
