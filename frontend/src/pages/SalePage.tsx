import { useEffect } from 'react';
import { useSaleStream } from '../hooks/useSaleStream';
import { useServerNow } from '../hooks/useServerNow';
import { Countdown } from '../components/Countdown';
import { Link } from '../components/Link';
import { PurchasePanel } from '../components/PurchasePanel';
import { StateBadge } from '../components/StateBadge';
import { StockBar } from '../components/StockBar';
import { StreamIndicator } from '../components/StreamIndicator';

/** `/sales/:saleId`: the live sale with its purchase panel. Mount it keyed by sale id. */
export function SalePage({ saleId }: { saleId: string }) {
  const { model, status, notFound } = useSaleStream(saleId);
  const now = useServerNow(model.offsetMs);
  const view = model.view;

  const productName = view?.productName;
  useEffect(() => {
    document.title = productName !== undefined ? `${productName} · Flashsale` : 'Flashsale';
  }, [productName]);

  return (
    <article className="sale-page">
      <p className="back">
        <Link href="/">← All sales</Link>
      </p>
      {notFound ? (
        <div className="panel">
          <h1>Sale not found</h1>
          <p>
            There is no sale called <code>{saleId}</code>.
          </p>
        </div>
      ) : view === null ? (
        <p className="loading" role="status">
          Loading sale…
        </p>
      ) : (
        <>
          <header className="sale-header">
            <div className="sale-meta">
              <StateBadge state={view.state} />
              <StreamIndicator status={status} />
            </div>
            <h1>{view.productName}</h1>
            <p className="sku">SKU {view.sku}</p>
          </header>
          <div className="sale-grid">
            <section className="panel facts" aria-label="Sale status">
              <Countdown view={view} now={now} />
              <StockBar stock={view.stock} initialStock={view.initialStock} live held={view.holdForSeconds === null ? undefined : view.held} />
            </section>
            <PurchasePanel view={view} offsetMs={model.offsetMs} />
          </div>
        </>
      )}
    </article>
  );
}
