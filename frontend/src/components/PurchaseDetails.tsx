import type { Purchase } from '../lib/types';

/** The shopper's purchase, and whether PostgreSQL has recorded it yet. */
export function PurchaseDetails({ purchase }: { purchase: Purchase }) {
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
