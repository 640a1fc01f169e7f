import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { fetchMyPurchase, postPurchase } from '../lib/api';
import { isHerdWindow, serverNow } from '../lib/clock';
import { purchaseOutcome, type Outcome } from '../lib/outcome';
import type { Purchase, SaleView } from '../lib/types';
import { loadUserId, saveUserId, validateQty, validateUserId } from '../lib/userId';
import { randomUuid } from '../lib/uuid';

interface Props {
  view: SaleView;
  offsetMs: number;
}

export const PERSISTED_POLL_MS = 2_000;
/** Upper bound of the random delay of a click in the first seconds of a sale. */
export const HERD_JITTER_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const buttonText: Record<SaleView['state'], string> = {
  UPCOMING: 'Not started yet',
  ACTIVE: 'Buy now',
  PAUSED: 'Paused',
  ENDED: 'Sale ended',
};

export function PurchasePanel({ view, offsetMs }: Props) {
  const saleId = view.id;
  const [userIdRaw, setUserIdRaw] = useState(loadUserId);
  const [qtyRaw, setQtyRaw] = useState('1');
  const [userIdError, setUserIdError] = useState<string | null>(null);
  const [qtyError, setQtyError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [purchase, setPurchase] = useState<Purchase | null>(null);
  // A ref, not state: two clicks in one frame must not both see "not pending".
  const pendingRef = useRef(false);
  // Whose purchase the panel shows: a late answer for an id typed earlier is dropped.
  const shownFor = useRef<string | null>(null);
  const userIdInput = useRef<HTMLInputElement>(null);
  const qtyInput = useRef<HTMLInputElement>(null);
  const ids = useId();

  const lookUpPurchase = useCallback(
    async (userId: string) => {
      shownFor.current = userId;
      const result = await fetchMyPurchase(saleId, userId);
      if (shownFor.current !== userId) return;
      if (result.kind === 'ok') setPurchase(result.data);
      else if (result.kind === 'error' && result.error.code === 'NOT_FOUND') setPurchase(null);
    },
    [saleId],
  );

  // A reload restores the purchase of the remembered shopper.
  useEffect(() => {
    const check = validateUserId(loadUserId());
    if (check.ok) void lookUpPurchase(check.value);
  }, [lookUpPurchase]);

  // Until PostgreSQL has it, the purchase is only in Redis and Kafka: show that, and re-check.
  const unpersisted = purchase !== null && !purchase.persisted ? purchase.userId : null;
  useEffect(() => {
    if (unpersisted === null) return;
    const timer = setInterval(() => {
      void fetchMyPurchase(saleId, unpersisted).then((result) => {
        // Keyed by owner: if the shopper switched ids meanwhile, this answer is not theirs.
        if (result.kind === 'ok') setPurchase((shown) => (shown?.userId === unpersisted ? result.data : shown));
      });
    }, PERSISTED_POLL_MS);
    return () => clearInterval(timer);
  }, [saleId, unpersisted]);

  const onUserIdBlur = () => {
    const check = validateUserId(userIdRaw);
    if (check.ok && check.value !== shownFor.current) void lookUpPurchase(check.value);
  };

  const buy = async (e: FormEvent) => {
    e.preventDefault();
    if (pendingRef.current || view.state !== 'ACTIVE') return;
    const userId = validateUserId(userIdRaw);
    setUserIdError(userId.ok ? null : userId.message);
    const qty = view.perUserLimit > 1 ? validateQty(qtyRaw, view.perUserLimit) : ({ ok: true, value: 1 } as const);
    setQtyError(qty.ok ? null : qty.message);
    if (!userId.ok) {
      setOutcome(null);
      userIdInput.current?.focus();
      return;
    }
    if (!qty.ok) {
      setOutcome(null);
      qtyInput.current?.focus();
      return;
    }

    pendingRef.current = true;
    setPending(true);
    setOutcome(null);
    shownFor.current = userId.value;
    try {
      // Spread the herd that clicks the instant the sale opens over half a second.
      if (isHerdWindow(view.startTime, serverNow(offsetMs))) await sleep(Math.random() * HERD_JITTER_MS);
      const result = await postPurchase(saleId, userId.value, qty.value, randomUuid());
      const next = purchaseOutcome(result, { perUserLimit: view.perUserLimit, stock: view.stock });
      setOutcome(next);
      if (next.purchase) setPurchase(next.purchase);
      // The request may have gone through before the connection broke: ask, so the shopper knows.
      if (result.kind === 'network') void lookUpPurchase(userId.value);
    } finally {
      pendingRef.current = false;
      setPending(false);
    }
  };

  const userIdErrorId = `${ids}-user-error`;
  const qtyErrorId = `${ids}-qty-error`;
  const canBuy = view.state === 'ACTIVE';

  return (
    <section className="panel purchase" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Buy</h2>
      <form onSubmit={buy} noValidate>
        <div className="field">
          <label htmlFor={`${ids}-user`}>Your user id</label>
          <input
            ref={userIdInput}
            id={`${ids}-user`}
            name="userId"
            type="text"
            autoComplete="username"
            spellCheck={false}
            value={userIdRaw}
            onChange={(e) => {
              setUserIdRaw(e.target.value);
              saveUserId(e.target.value);
            }}
            onBlur={onUserIdBlur}
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
              value={qtyRaw}
              onChange={(e) => setQtyRaw(e.target.value)}
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
            button drops keyboard focus to the page body. The ref above blocks the clicks. */}
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

function PurchaseDetails({ purchase }: { purchase: Purchase }) {
  const time = new Date(purchase.purchasedAt);
  return (
    <div className="my-purchase" data-testid="my-purchase" data-purchase-id={purchase.purchaseId} data-persisted={purchase.persisted}>
      <h3>Your purchase</h3>
      <dl>
        <dt>Purchase id</dt>
        <dd className="num">{purchase.purchaseId}</dd>
        <dt>Quantity</dt>
        <dd className="num">{purchase.qty}</dd>
        <dt>Time</dt>
        <dd>
          <time dateTime={purchase.purchasedAt}>{Number.isNaN(time.getTime()) ? purchase.purchasedAt : time.toLocaleString()}</time>
        </dd>
        <dt>Order record</dt>
        <dd aria-live="polite">{purchase.persisted ? 'Saved ✓' : 'Saving…'}</dd>
      </dl>
    </div>
  );
}
