import { describe, expect, it } from 'vitest';
import type { ApiResult } from './api';
import { giveUpOutcome, paymentOutcome, purchaseOutcome } from './outcome';
import type { ApiError, Purchase } from './types';

const ctx = { perUserLimit: 2, stock: 3 };
const purchase: Purchase = {
  purchaseId: 'widget-drop-000042',
  saleId: 'widget-drop',
  userId: 'alice',
  qty: 1,
  purchasedAt: '2026-02-15T10:00:01.234Z',
  status: 'CONFIRMED',
  expiresAt: null,
  persisted: false,
};

function error(status: number, e: Partial<ApiError> & { code: string }, retryAfterHeader: number | null = null): ApiResult<Purchase> {
  return { kind: 'error', status, error: { message: 'server text', ...e }, retryAfterHeader };
}

const hold: Purchase = { ...purchase, status: 'HELD', expiresAt: '2026-02-15T10:10:01.234Z' };

describe('purchaseOutcome', () => {
  it('201: success with the purchase id', () => {
    const o = purchaseOutcome({ kind: 'ok', status: 201, data: purchase }, ctx);
    expect(o).toMatchObject({ kind: 'success', code: 'SUCCESS', title: 'Purchase confirmed', purchase });
    expect(o.detail).toBe('You got it! Your purchase id is widget-drop-000042.');
  });

  it('201 of a sale with checkout: reserved until paid, not yet bought', () => {
    const o = purchaseOutcome({ kind: 'ok', status: 201, data: hold }, ctx);
    expect(o).toMatchObject({ kind: 'success', code: 'SUCCESS', title: 'Reserved', purchase: hold });
    expect(o.detail).toBe('Purchase widget-drop-000042 is held for you: pay for it before the time runs out.');
  });

  it('409 ALREADY_PURCHASED of a hold says it waits for the payment', () => {
    const o = purchaseOutcome(error(409, { code: 'ALREADY_PURCHASED', purchase: hold }), ctx);
    expect(o).toMatchObject({ kind: 'info', code: 'ALREADY_PURCHASED', title: 'Already reserved', purchase: hold });
    expect(o.detail).toBe('You already hold this: purchase widget-drop-000042. Pay for it before the time runs out.');
  });

  it.each([
    [error(409, { code: 'SOLD_OUT' }), 'warning', 'Sold out', 'Every unit has been sold. Better luck next time.'],
    [error(409, { code: 'SALE_NOT_ACTIVE', state: 'UPCOMING' }), 'warning', 'Sale not active', 'The sale has not started yet. Wait for the countdown.'],
    [error(409, { code: 'SALE_NOT_ACTIVE', state: 'PAUSED' }), 'warning', 'Sale not active', 'The sale is paused. Try again when it resumes.'],
    [error(409, { code: 'SALE_NOT_ACTIVE' }), 'warning', 'Sale not active', 'The sale is not open right now.'],
    [error(409, { code: 'SALE_ENDED', endReason: 'TIME_EXPIRED' }), 'warning', 'Sale ended', 'The sale has ended: its time ran out.'],
    [error(409, { code: 'SALE_ENDED', endReason: 'CANCELLED' }), 'warning', 'Sale ended', 'The sale was cancelled.'],
    [error(409, { code: 'SALE_ENDED', endReason: 'SOLD_OUT' }), 'warning', 'Sale ended', 'The sale has ended: everything was sold.'],
    [error(409, { code: 'SALE_ENDED' }), 'warning', 'Sale ended', 'The sale has ended.'],
    [error(409, { code: 'LIMIT_EXCEEDED' }), 'warning', 'Limit reached', 'That would take you over the limit of 2 per shopper.'],
    [error(409, { code: 'INSUFFICIENT_STOCK' }), 'warning', 'Not enough stock', 'Only 3 left. Lower the quantity and try again.'],
    [error(404, { code: 'SALE_NOT_FOUND' }), 'error', 'Sale not found', 'This sale does not exist.'],
    [error(401, { code: 'UNAUTHENTICATED' }), 'warning', 'Not signed in', 'The shop could not tell who you are. Reload the page to sign in again.'],
    [error(429, { code: 'RATE_LIMITED', retryAfter: 7 }, 3), 'warning', 'Too many requests', 'Try again in 7 s.'],
    [error(429, { code: 'RATE_LIMITED' }, 3), 'warning', 'Too many requests', 'Try again in 3 s.'],
    [error(429, { code: 'RATE_LIMITED' }), 'warning', 'Too many requests', 'Try again in 1 s.'],
    [error(503, { code: 'SERVICE_UNAVAILABLE' }, 2), 'warning', 'The shop is very busy', 'We could not take your order right now. Try again in 2 s.'],
    [error(503, { code: 'SERVICE_UNAVAILABLE' }), 'warning', 'The shop is very busy', 'We could not take your order right now. Try again in a moment.'],
    [error(500, { code: 'INTERNAL_ERROR' }), 'error', 'Something went wrong', 'Unexpected answer from the shop (HTTP 500, INTERNAL_ERROR). Please try again.'],
    [error(502, { code: 'UNEXPECTED_RESPONSE' }), 'error', 'Something went wrong', 'Unexpected answer from the shop (HTTP 502). Please try again.'],
    [{ kind: 'network', message: 'Failed to fetch' } as const, 'error', 'Network problem', 'Could not reach the shop. Check your connection and try again.'],
  ])('%# maps to its own message', (result, kind, title, detail) => {
    const o = purchaseOutcome(result, ctx);
    expect(o).toMatchObject({ kind, title, detail });
    expect(o.purchase).toBeUndefined();
  });

  it('409 ALREADY_PURCHASED shows the existing purchase', () => {
    const o = purchaseOutcome(error(409, { code: 'ALREADY_PURCHASED', purchase }), ctx);
    expect(o).toMatchObject({
      kind: 'info',
      code: 'ALREADY_PURCHASED',
      title: 'Already purchased',
      detail: 'You already bought this: purchase widget-drop-000042.',
      purchase,
    });
  });

  it('400 VALIDATION_ERROR lists the fields', () => {
    const o = purchaseOutcome(error(400, { code: 'VALIDATION_ERROR', message: 'Invalid request', fields: { qty: 'must be at least 1' } }), ctx);
    expect(o).toMatchObject({ kind: 'error', title: 'Please check your input', detail: 'Invalid request', fields: [['qty', 'must be at least 1']] });
  });

  it('keeps the error code for every error', () => {
    expect(purchaseOutcome(error(409, { code: 'SOLD_OUT' }), ctx).code).toBe('SOLD_OUT');
    expect(purchaseOutcome({ kind: 'network', message: 'x' }, ctx).code).toBe('NETWORK_ERROR');
  });
});

describe('giveUpOutcome', () => {
  it('200: the hold is given up, and the purchase shows it', () => {
    const cancelled: Purchase = { ...hold, status: 'CANCELLED' };
    expect(giveUpOutcome({ kind: 'ok', status: 200, data: cancelled })).toEqual({
      kind: 'info',
      code: 'CANCELLED',
      title: 'Hold given up',
      detail: 'Its units are back on sale.',
      purchase: cancelled,
    });
  });

  it.each([
    ['CONFIRMED', "It is paid already: it's yours."],
    ['EXPIRED', 'Your hold had expired already; its units went back on sale.'],
    ['CANCELLED', 'You had given it up already.'],
  ] as const)('409 PURCHASE_NOT_HELD of a purchase %s says why, and shows it', (status, detail) => {
    const latest: Purchase = { ...hold, status };
    const o = giveUpOutcome(error(409, { code: 'PURCHASE_NOT_HELD', purchase: latest }));
    expect(o).toEqual({ kind: 'info', code: 'PURCHASE_NOT_HELD', title: 'Nothing to give up', detail, purchase: latest });
  });

  it.each([
    [error(404, { code: 'PURCHASE_NOT_FOUND' }), 'warning', 'No purchase found', 'The shop has no purchase of yours in this sale.'],
    [error(409, { code: 'PURCHASE_NOT_HELD' }), 'info', 'Nothing to give up', 'Your purchase is not held any more.'],
    [error(401, { code: 'UNAUTHENTICATED' }), 'warning', 'Not signed in', 'The shop could not tell who you are. Reload the page to sign in again.'],
    [error(500, { code: 'INTERNAL_ERROR' }), 'error', 'Something went wrong', 'Unexpected answer from the shop (HTTP 500, INTERNAL_ERROR). Please try again.'],
    [{ kind: 'network', message: 'Failed to fetch' } as const, 'error', 'Network problem', 'Could not reach the shop. Check your connection and try again.'],
  ])('%# maps to its own message, with no purchase', (result, kind, title, detail) => {
    const o = giveUpOutcome(result);
    expect(o).toMatchObject({ kind, title, detail });
    expect(o.purchase).toBeUndefined();
  });
});

describe('paymentOutcome', () => {
  it.each([
    [{ payment: 'succeeded' } as const, 'success', 'PAYMENT_SUCCEEDED', 'Payment received', 'Thank you! The shop has your payment.'],
    [{ payment: 'failed' } as const, 'error', 'PAYMENT_FAILED', 'Payment failed', 'Nothing was paid. You can try again while your hold lasts.'],
    [
      { payment: 'abandoned' } as const,
      'info',
      'PAYMENT_ABANDONED',
      'Not paid',
      'You left the payment page without paying. Your hold lasts until its time is over.',
    ],
    [
      { payment: 'refused', code: 'HOLD_EXPIRED' } as const,
      'warning',
      'HOLD_EXPIRED',
      'Payment too late',
      'Your hold had expired before the payment arrived. The payment will be refunded.',
    ],
    [
      { payment: 'refused', code: 'ALREADY_PAID' } as const,
      'info',
      'ALREADY_PAID',
      'Paid already',
      'This hold was paid already. The second payment will be refunded.',
    ],
    [{ payment: 'refused', code: 'BAD_SIGNATURE' } as const, 'error', 'BAD_SIGNATURE', 'Payment not accepted', 'The shop did not accept the payment (BAD_SIGNATURE).'],
    [{ payment: 'refused', code: null } as const, 'error', 'PAYMENT_REFUSED', 'Payment not accepted', 'The shop did not accept the payment.'],
  ])('%j maps to its own message', (back, kind, code, title, detail) => {
    expect(paymentOutcome(back)).toEqual({ kind, code, title, detail });
  });
});
