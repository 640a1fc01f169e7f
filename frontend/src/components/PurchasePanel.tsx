import { useId, useRef, type FormEvent } from 'react';
import { usePurchase } from '../hooks/usePurchase';
import type { SaleView } from '../lib/types';
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

/** The purchase form and its answer; the flow itself is usePurchase's. */
export function PurchasePanel({ view, offsetMs }: Props) {
  const { state, userId, setUserId, confirmUserId, qty, setQty, buy, purchase } = usePurchase(view, offsetMs);
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

  const userIdErrorId = `${ids}-user-error`;
  const qtyErrorId = `${ids}-qty-error`;
  const canBuy = view.state === 'ACTIVE';

  return (
    <section className="panel purchase" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Buy</h2>
      <form onSubmit={onSubmit} noValidate>
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
            aria-describedby={userIdError !== null ? userIdErrorId : undefined}
          />
          {userIdError !== null && (
            <p id={userIdErrorId} className="field-error" role="alert">
              {userIdError}
            </p>
          )}
        </div>
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
          {pending ? 'Buying…' : buttonText[view.state]}
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

      {purchase && <PurchaseDetails purchase={purchase} />}
    </section>
  );
}
