import { useEffect, useState } from 'react';
import { fetchSales } from '../lib/api';
import { clockOffset, countdownTarget } from '../lib/clock';
import type { SaleView } from '../lib/types';

/** The list is an overview, so a slow refresh plus one at the next start or end is enough. */
export const LIST_REFRESH_MS = 30_000;
const DEADLINE_JITTER_MS = 1_000;

/** Not loaded yet, loaded (with the server clock offset of that answer), or failed before any load. */
export type SaleListLoad = { sales: SaleView[]; offsetMs: number } | { error: string } | null;

/**
 * All sales, refreshed every 30 s and just after the next start or end of any of them. A
 * failed refresh keeps the last list; only a failure before the first load is an error.
 */
export function useSaleList(): SaleListLoad {
  const [load, setLoad] = useState<SaleListLoad>(null);

  useEffect(() => {
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

  return load;
}
