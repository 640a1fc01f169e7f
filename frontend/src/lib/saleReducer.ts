import { clockOffset } from './clock';
import type { SaleView, StateChange, StockUpdate } from './types';

export interface SaleModel {
  view: SaleView | null;
  /** SSE id of the last applied event; the server's ids increase per sale. */
  lastEventId: string | null;
  /** Server clock minus browser clock, from the freshest `serverTime` received. */
  offsetMs: number;
  /** Server time (epoch ms) the current view is known to be true at. */
  asOf: number;
}

export type SaleAction =
  | { type: 'initial'; eventId: string | null; view: SaleView; receivedAt: number }
  | { type: 'stock-update'; eventId: string | null; data: StockUpdate; receivedAt: number }
  | { type: 'state-change'; eventId: string | null; data: StateChange; receivedAt: number }
  | { type: 'snapshot'; view: SaleView; receivedAt: number };

export const emptySaleModel: SaleModel = { view: null, lastEventId: null, offsetMs: 0, asOf: 0 };

function idParts(id: string): bigint[] | null {
  // Plain counters ("42") and Redis stream ids ("1700000000000-3") both order part by part.
  if (!/^\d+(-\d+)*$/.test(id)) return null;
  return id.split('-').map((part) => BigInt(part));
}

/** Whether event id `candidate` comes after `last`. Unorderable ids are accepted. */
export function isNewerEventId(candidate: string | null, last: string | null): boolean {
  if (candidate === null || candidate === '' || last === null) return true;
  const a = idParts(candidate);
  const b = idParts(last);
  if (a === null || b === null) return candidate !== last;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1n;
    const y = b[i] ?? -1n;
    if (x !== y) return x > y;
  }
  return false;
}

function fromView(model: SaleModel, view: SaleView, receivedAt: number, lastEventId: string | null): SaleModel {
  const serverTime = Date.parse(view.serverTime);
  return {
    view,
    lastEventId,
    offsetMs: clockOffset(view.serverTime, receivedAt),
    asOf: Number.isNaN(serverTime) ? model.asOf : serverTime,
  };
}

/**
 * Applies SSE events and polled snapshots to the sale model. Replayed events (id not newer
 * than the last applied one) are ignored, so a resumed stream cannot move the view back.
 */
export function saleReducer(model: SaleModel, action: SaleAction): SaleModel {
  switch (action.type) {
    case 'initial':
      if (!isNewerEventId(action.eventId, model.lastEventId)) return model;
      return fromView(model, action.view, action.receivedAt, action.eventId ?? model.lastEventId);

    case 'snapshot': {
      // A polled view carries no event id; its serverTime orders it instead, so a response
      // served late (or from a shared cache) never overrides something newer.
      const serverTime = Date.parse(action.view.serverTime);
      if (model.view !== null && !(serverTime > model.asOf)) return model;
      return fromView(model, action.view, action.receivedAt, model.lastEventId);
    }

    case 'stock-update':
    case 'state-change': {
      const { view } = model;
      if (view === null || action.data.id !== view.id) return model;
      if (!isNewerEventId(action.eventId, model.lastEventId)) return model;
      const next: SaleView =
        action.type === 'stock-update'
          ? { ...view, stock: action.data.stock, sold: action.data.sold, held: action.data.held, confirmed: action.data.confirmed }
          : { ...view, state: action.data.state, endReason: action.data.endReason };
      return {
        view: next,
        lastEventId: action.eventId ?? model.lastEventId,
        offsetMs: model.offsetMs,
        asOf: Math.max(model.asOf, action.receivedAt + model.offsetMs),
      };
    }
  }
}
