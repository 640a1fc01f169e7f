import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { eventsUrl, fetchSale } from '../lib/api';
import { countdownTarget } from '../lib/clock';
import { emptySaleModel, saleReducer, type SaleModel } from '../lib/saleReducer';
import type { SaleView, StateChange, StockUpdate } from '../lib/types';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface SaleStream {
  model: SaleModel;
  status: StreamStatus;
  notFound: boolean;
}

export const POLL_INTERVAL_MS = 2_000;
/**
 * When a countdown hits zero every open page would re-check at once, just as the buyers
 * arrive; a random delay lets the server's own state-change cancel most of those re-checks.
 */
const DEADLINE_JITTER_MS = 1_000;
/** After that, re-check this often until the new state shows up. */
const OVERDUE_RETRY_MS = 1_000;
const OVERDUE_MAX_RETRIES = 5;
const REOPEN_MIN_MS = 2_000;
const REOPEN_JITTER_MS = 2_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function parse<T>(event: MessageEvent): T | null {
  try {
    return JSON.parse(event.data as string) as T;
  } catch {
    return null;
  }
}

/**
 * Live view of one sale: the SSE stream, a 2 s poll of the REST view while the stream is
 * down, and a re-check when a countdown reaches zero. Mount it keyed by sale id.
 */
export function useSaleStream(saleId: string): SaleStream {
  const [model, dispatch] = useReducer(saleReducer, emptySaleModel);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [notFound, setNotFound] = useState(false);
  const notFoundRef = useRef(false);
  const offsetRef = useRef(0);
  useEffect(() => {
    offsetRef.current = model.offsetMs;
  }, [model.offsetMs]);

  /** Asks for the REST view; the answer is applied when it arrives. */
  const refresh = useCallback(() => {
    void fetchSale(saleId).then((result) => {
      const receivedAt = Date.now();
      if (result.kind === 'ok' && result.data.id === saleId) {
        dispatch({ type: 'snapshot', view: result.data, receivedAt });
      } else if (result.kind === 'error' && result.error.code === 'SALE_NOT_FOUND') {
        notFoundRef.current = true;
        setNotFound(true);
      }
    });
  }, [saleId]);

  // The REST view paints the page without waiting for the stream to be established.
  useEffect(() => {
    refresh();
  }, [refresh]);

  useEffect(() => {
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;

    const open = () => {
      const es = new EventSource(eventsUrl(saleId));
      source = es;
      es.onopen = () => setStatus('live');
      es.onerror = () => {
        setStatus('reconnecting');
        // The browser retries by itself (sending Last-Event-ID) unless the answer was not a
        // stream (e.g. a proxy's 502 during a restart): then it gives up and we reopen.
        if (es.readyState === EventSource.CLOSED && !notFoundRef.current) {
          reopenTimer = setTimeout(open, REOPEN_MIN_MS + Math.random() * REOPEN_JITTER_MS);
        }
      };
      es.addEventListener('initial', (e) => {
        const view = parse<SaleView>(e);
        if (view) dispatch({ type: 'initial', eventId: e.lastEventId, view, receivedAt: Date.now() });
        setStatus('live');
      });
      // the admin changed the sale (name, times, limit): the whole view again, like an initial
      es.addEventListener('sale-update', (e) => {
        const view = parse<SaleView>(e);
        if (view) dispatch({ type: 'initial', eventId: e.lastEventId, view, receivedAt: Date.now() });
      });
      es.addEventListener('stock-update', (e) => {
        const data = parse<StockUpdate>(e);
        if (data) dispatch({ type: 'stock-update', eventId: e.lastEventId, data, receivedAt: Date.now() });
      });
      es.addEventListener('state-change', (e) => {
        const data = parse<StateChange>(e);
        if (data) dispatch({ type: 'state-change', eventId: e.lastEventId, data, receivedAt: Date.now() });
      });
    };

    open();
    return () => {
      clearTimeout(reopenTimer);
      source?.close();
    };
  }, [saleId]);

  useEffect(() => {
    if (status !== 'reconnecting' || notFound) return;
    refresh();
    const timer = setInterval(refresh, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [status, notFound, refresh]);

  // The server announces transitions itself; this re-check covers a missed or late event.
  const target = model.view ? countdownTarget(model.view) : null;
  const targetAt = target?.at ?? null;
  const state = model.view?.state;
  useEffect(() => {
    if (targetAt === null || Number.isNaN(targetAt)) return;
    let retries = 0;
    let timer: ReturnType<typeof setTimeout>;
    const check = () => {
      const wait = targetAt - (Date.now() + offsetRef.current);
      if (wait > 0) {
        timer = setTimeout(check, Math.min(wait + Math.random() * DEADLINE_JITTER_MS, MAX_TIMEOUT_MS));
      } else if (retries++ < OVERDUE_MAX_RETRIES) {
        refresh();
        timer = setTimeout(check, OVERDUE_RETRY_MS);
      }
    };
    check();
    return () => clearTimeout(timer);
  }, [targetAt, state, refresh]);

  return { model, status, notFound };
}
