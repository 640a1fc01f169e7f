import { useEffect, useState } from 'react';
import { useServerNow } from '../hooks/useServerNow';
import { fetchSales } from '../lib/api';
import { clockOffset, countdownTarget } from '../lib/clock';
import { endReasonLabel } from '../lib/saleText';
import type { SaleView } from '../lib/types';
import { saleHref } from '../router';
import { Countdown } from './Countdown';
import { Link } from './Link';
import { StateBadge } from './StateBadge';
import { StockBar } from './StockBar';

/** The list is an overview, so a slow refresh plus one at the next start or end is enough. */
const LIST_REFRESH_MS = 30_000;
const DEADLINE_JITTER_MS = 1_000;

type Load = { sales: SaleView[]; offsetMs: number } | { error: string } | null;

const groups: Array<{ key: string; title: string; match: (s: SaleView) => boolean; empty: string }> = [
  { key: 'live', title: 'Live now', match: (s) => s.state === 'ACTIVE' || s.state === 'PAUSED', empty: 'No sale is live right now.' },
  { key: 'upcoming', title: 'Upcoming', match: (s) => s.state === 'UPCOMING', empty: 'Nothing scheduled yet.' },
  { key: 'ended', title: 'Ended', match: (s) => s.state === 'ENDED', empty: 'No past sales.' },
];

export function SaleList() {
  const [load, setLoad] = useState<Load>(null);
  const offsetMs = load !== null && 'sales' in load ? load.offsetMs : 0;
  const now = useServerNow(offsetMs);

  useEffect(() => {
    document.title = 'Flashsale';
    let timer: ReturnType<typeof setTimeout>;
    let cancelled = false;
    const refresh = async () => {
      const result = await fetchSales();
      const receivedAt = Date.now();
      if (cancelled) return;
      let next = LIST_REFRESH_MS;
      if (result.kind === 'ok') {
        const sales = result.data;
        const offset = sales[0] ? clockOffset(sales[0].serverTime, receivedAt) : 0;
        setLoad({ sales, offsetMs: offset });
        const untilDeadline = sales
          .map((s) => countdownTarget(s)?.at ?? Number.NaN)
          .filter((at) => !Number.isNaN(at))
          .map((at) => at - (receivedAt + offset))
          .filter((ms) => ms >= 0);
        if (untilDeadline.length > 0) {
          next = Math.min(next, Math.min(...untilDeadline) + Math.random() * DEADLINE_JITTER_MS);
        }
      } else {
        setLoad((prev) => (prev !== null && 'sales' in prev ? prev : { error: 'The sales could not be loaded. Retrying…' }));
      }
      timer = setTimeout(() => void refresh(), next);
    };
    void refresh();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, []);

  if (load === null) {
    return (
      <p className="loading" role="status">
        Loading sales…
      </p>
    );
  }
  if ('error' in load) {
    return (
      <p className="panel" role="alert">
        {load.error}
      </p>
    );
  }
  return (
    <div className="sale-list">
      <h1>Flash sales</h1>
      {groups.map((group) => {
        const sales = load.sales.filter(group.match);
        return (
          <section key={group.key} aria-labelledby={`group-${group.key}`}>
            <h2 id={`group-${group.key}`}>{group.title}</h2>
            {sales.length === 0 ? (
              <p className="empty">{group.empty}</p>
            ) : (
              <ul className="cards">
                {sales.map((sale) => (
                  <li key={sale.id} className="card" data-sale-id={sale.id}>
                    <div className="card-head">
                      <StateBadge state={sale.state} />
                      {sale.state === 'ENDED' && <span className="end-reason">{endReasonLabel(sale.endReason)}</span>}
                    </div>
                    <h3>
                      <Link href={saleHref(sale.id)} className="card-link">
                        {sale.productName}
                      </Link>
                    </h3>
                    {sale.state !== 'ENDED' && <Countdown view={sale} now={now} />}
                    <StockBar stock={sale.stock} initialStock={sale.initialStock} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
