import { describe, expect, it } from 'vitest';
import { paymentHref, readPaymentReturn, saleReturnUrl, withoutPaymentReturn } from './checkout';

describe('readPaymentReturn', () => {
  it.each([
    ['?payment=succeeded', { payment: 'succeeded' }],
    ['?payment=failed', { payment: 'failed' }],
    ['?payment=abandoned', { payment: 'abandoned' }],
    ['?payment=refused&code=HOLD_EXPIRED', { payment: 'refused', code: 'HOLD_EXPIRED' }],
    // shown to the shopper: only what looks like an error code
    ['?payment=refused&code=%3Cb%3Ehi', { payment: 'refused', code: null }],
    ['?payment=refused', { payment: 'refused', code: null }],
    ['?qty=2&payment=succeeded', { payment: 'succeeded' }],
  ])('%s', (search, expected) => {
    expect(readPaymentReturn(search)).toEqual(expected);
  });

  it.each(['', '?qty=2', '?payment=', '?payment=maybe'])('none in %j', (search) => {
    expect(readPaymentReturn(search)).toBeNull();
  });
});

describe('withoutPaymentReturn', () => {
  it('drops the payment and its code, and keeps the rest', () => {
    expect(withoutPaymentReturn('http://shop.test/sales/a?payment=refused&code=HOLD_EXPIRED')).toBe('http://shop.test/sales/a');
    expect(withoutPaymentReturn('http://shop.test/sales/a?x=1&payment=succeeded#top')).toBe('http://shop.test/sales/a?x=1#top');
  });
});

describe('paymentHref', () => {
  const back = 'http://127.0.0.1:8080/sales/widget-drop';

  it('names the purchase and the page to come back to, encoded', () => {
    expect(paymentHref('http://127.0.0.1:16090/pay', 'widget-drop-0hftiw6uhxs', back)).toBe(
      'http://127.0.0.1:16090/pay?purchaseId=widget-drop-0hftiw6uhxs&returnUrl=http%3A%2F%2F127.0.0.1%3A8080%2Fsales%2Fwidget-drop',
    );
  });

  it("keeps the payment page's own query", () => {
    expect(paymentHref('https://pay.test/checkout?shop=7', 'p-1', back)).toBe(
      'https://pay.test/checkout?shop=7&purchaseId=p-1&returnUrl=http%3A%2F%2F127.0.0.1%3A8080%2Fsales%2Fwidget-drop',
    );
  });

  it('refuses a payment page that is not a web page', () => {
    expect(paymentHref('javascript:alert(1)', 'p-1', back)).toBeNull();
    expect(paymentHref('http://[broken', 'p-1', back)).toBeNull();
  });
});

describe('saleReturnUrl', () => {
  it('is the sale page on this origin', () => {
    expect(saleReturnUrl('widget drop')).toBe(`${window.location.origin}/sales/widget%20drop`);
  });
});
