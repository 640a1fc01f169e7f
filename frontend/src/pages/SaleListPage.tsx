import { useEffect } from 'react';
import { SaleCard } from '../components/SaleCard';
import { useSaleList } from '../hooks/useSaleList';
import { useServerNow } from '../hooks/useServerNow';
import type { SaleView } from '../lib/types';

const groups: Array<{ key: string; title: string; match: (s: SaleView) => boolean; empty: string }> = [
  { key: 'live', title: 'Live now', match: (s) => s.state === 'ACTIVE' || s.state === 'PAUSED', empty: 'No sale is live right now.' },
  { key: 'upcoming', title: 'Upcoming', match: (s) => s.state === 'UPCOMING', empty: 'Nothing scheduled yet.' },
  { key: 'ended', title: 'Ended', match: (s) => s.state === 'ENDED', empty: 'No past sales.' },
];

/** `/`: every sale, grouped into live, upcoming and ended. */
export function SaleListPage() {
  const load = useSaleList();
  const offsetMs = load !== null && 'sales' in load ? load.offsetMs : 0;
  const now = useServerNow(offsetMs);

  useEffect(() => {
    document.title = 'Flashsale';
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
                  <SaleCard key={sale.id} sale={sale} now={now} />
                ))}
              </ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
