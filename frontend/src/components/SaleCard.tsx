import { endReasonLabel } from '../lib/saleText';
import type { SaleView } from '../lib/types';
import { saleHref } from '../router';
import { Countdown } from './Countdown';
import { Link } from './Link';
import { StateBadge } from './StateBadge';
import { StockBar } from './StockBar';

/** One sale in the list: state, a link to its page, countdown and stock. */
export function SaleCard({ sale, now }: { sale: SaleView; now: number }) {
  return (
    <li className="card" data-sale-id={sale.id}>
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
  );
}
