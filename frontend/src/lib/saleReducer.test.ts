import { describe, expect, it } from 'vitest';
import { saleView } from '../test/fakes';
import { emptySaleModel, isNewerEventId, saleReducer, type SaleAction, type SaleModel } from './saleReducer';

const T0 = Date.parse('2026-02-15T10:03:12.345Z');
const view = saleView({ serverTime: new Date(T0).toISOString(), stock: 87, sold: 13 });

function run(...actions: SaleAction[]): SaleModel {
  return actions.reduce(saleReducer, emptySaleModel);
}

const initial = (eventId: string, receivedAt = T0 - 2_000): SaleAction => ({ type: 'initial', eventId, view, receivedAt });

describe('isNewerEventId', () => {
  it('orders numeric ids numerically, not as text', () => {
    expect(isNewerEventId('10', '9')).toBe(true);
    expect(isNewerEventId('9', '10')).toBe(false);
    expect(isNewerEventId('10', '10')).toBe(false);
  });

  it('orders Redis stream ids part by part', () => {
    expect(isNewerEventId('1700000000000-1', '1700000000000-0')).toBe(true);
    expect(isNewerEventId('1700000000001-0', '1700000000000-9')).toBe(true);
    expect(isNewerEventId('1700000000000-0', '1700000000000-0')).toBe(false);
  });

  it('accepts anything before the first event and unorderable ids unless repeated', () => {
    expect(isNewerEventId('5', null)).toBe(true);
    expect(isNewerEventId('abc', '5')).toBe(true);
    expect(isNewerEventId('abc', 'abc')).toBe(false);
    expect(isNewerEventId(null, '5')).toBe(true);
  });
});

describe('saleReducer', () => {
  it('takes the full view and the clock offset from `initial`', () => {
    const model = run(initial('7'));
    expect(model.view).toEqual(view);
    expect(model.lastEventId).toBe('7');
    expect(model.offsetMs).toBe(2_000);
    expect(model.asOf).toBe(T0);
  });

  it('applies stock-update and state-change', () => {
    const model = run(
      initial('7'),
      { type: 'stock-update', eventId: '8', data: { id: view.id, stock: 86, sold: 14, held: 0, confirmed: 14 }, receivedAt: T0 },
      { type: 'state-change', eventId: '9', data: { id: view.id, state: 'ENDED', endReason: 'SOLD_OUT' }, receivedAt: T0 },
    );
    expect(model.view).toMatchObject({ stock: 86, sold: 14, state: 'ENDED', endReason: 'SOLD_OUT' });
    expect(model.lastEventId).toBe('9');
  });

  it('applies the units in checkout of a stock-update: held and confirmed', () => {
    const model = run(initial('7'), {
      type: 'stock-update',
      eventId: '8',
      data: { id: view.id, stock: 80, sold: 20, held: 12, confirmed: 8 },
      receivedAt: T0,
    });
    expect(model.view).toMatchObject({ stock: 80, sold: 20, held: 12, confirmed: 8 });
  });

  it('ignores events whose id is not newer than the last applied one', () => {
    const applied = run(initial('7'), { type: 'stock-update', eventId: '9', data: { id: view.id, stock: 80, sold: 20, held: 0, confirmed: 20 }, receivedAt: T0 });
    const replayed = [
      { type: 'stock-update', eventId: '8', data: { id: view.id, stock: 85, sold: 15, held: 0, confirmed: 15 }, receivedAt: T0 },
      { type: 'stock-update', eventId: '9', data: { id: view.id, stock: 85, sold: 15, held: 0, confirmed: 15 }, receivedAt: T0 },
      { type: 'state-change', eventId: '3', data: { id: view.id, state: 'UPCOMING', endReason: null }, receivedAt: T0 },
      { type: 'initial', eventId: '9', view: { ...view, stock: 99, sold: 1 }, receivedAt: T0 },
    ] satisfies SaleAction[];
    expect(replayed.reduce(saleReducer, applied)).toBe(applied);
  });

  it('applies a resumed `initial` with a newer id', () => {
    const model = run(initial('7'), { type: 'initial', eventId: '12', view: { ...view, stock: 50, sold: 50 }, receivedAt: T0 });
    expect(model.view?.stock).toBe(50);
    expect(model.lastEventId).toBe('12');
  });

  it('ignores updates before any view and updates of another sale', () => {
    const before = run({ type: 'stock-update', eventId: '1', data: { id: view.id, stock: 1, sold: 99, held: 0, confirmed: 99 }, receivedAt: T0 });
    expect(before).toEqual(emptySaleModel);
    const other = run(initial('7'), { type: 'stock-update', eventId: '8', data: { id: 'other', stock: 1, sold: 99, held: 0, confirmed: 99 }, receivedAt: T0 });
    expect(other.view?.stock).toBe(87);
    expect(other.lastEventId).toBe('7');
  });

  it('takes a polled snapshot only if it is newer than what it knows, keeping the event id', () => {
    const base = run(initial('7'));
    const older = saleReducer(base, { type: 'snapshot', view: { ...view, stock: 99, serverTime: new Date(T0 - 1_000).toISOString() }, receivedAt: T0 });
    expect(older).toBe(base);
    const newer = saleReducer(base, {
      type: 'snapshot',
      view: { ...view, stock: 40, sold: 60, serverTime: new Date(T0 + 5_000).toISOString() },
      receivedAt: T0 + 4_000,
    });
    expect(newer.view?.stock).toBe(40);
    expect(newer.lastEventId).toBe('7');
    expect(newer.offsetMs).toBe(1_000);
  });

  it('orders snapshots after SSE updates by estimated server time', () => {
    // offset 2 s: an update received at browser time T0 happened at server time T0 + 2 s.
    const updated = run(initial('7'), { type: 'stock-update', eventId: '8', data: { id: view.id, stock: 10, sold: 90, held: 0, confirmed: 90 }, receivedAt: T0 });
    const stale = saleReducer(updated, { type: 'snapshot', view: { ...view, serverTime: new Date(T0 + 1_000).toISOString() }, receivedAt: T0 });
    expect(stale).toBe(updated);
  });

  it('takes the first snapshot when there is no view yet', () => {
    const model = run({ type: 'snapshot', view, receivedAt: T0 + 500 });
    expect(model.view).toEqual(view);
    expect(model.lastEventId).toBeNull();
    expect(model.offsetMs).toBe(-500);
  });
});
