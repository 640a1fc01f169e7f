import { saleHref } from '../router';

/**
 * How the shopper came back from the payment page (contract, "Checkout"): the provider sends them
 * to the sale page with `payment=succeeded`, `failed` (nothing paid), `abandoned` (left to expire)
 * or `refused&code=<error code>` (paid, but the shop refused the payment: the hold had expired, say).
 */
export type PaymentReturn =
  | { payment: 'succeeded' | 'failed' | 'abandoned' }
  // null: no code, or none that looks like an error code (it is shown to the shopper)
  | { payment: 'refused'; code: string | null };

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The payment return in a page's query string, or null when it has none (or one this page does not know). */
export function readPaymentReturn(search: string): PaymentReturn | null {
  const params = new URLSearchParams(search);
  const payment = params.get('payment');
  switch (payment) {
    case 'succeeded':
    case 'failed':
    case 'abandoned':
      return { payment };
    case 'refused': {
      const code = params.get('code');
      return { payment, code: code !== null && ERROR_CODE.test(code) ? code : null };
    }
    default:
      return null;
  }
}

/** `href` without the payment return's parameters: a reload must not report the payment again. */
export function withoutPaymentReturn(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('payment');
  url.searchParams.delete('code');
  return url.href;
}

/** The sale page's address, where the payment page sends the shopper back to. */
export function saleReturnUrl(saleId: string): string {
  return new URL(saleHref(saleId), window.location.origin).href;
}

/**
 * Where to pay the hold `purchaseId`: `<paymentUrl>?purchaseId=<id>&returnUrl=<url>`. Null when the
 * configured page is not an http(s) URL: a `javascript:` one would run in this page.
 */
export function paymentHref(paymentUrl: string, purchaseId: string, returnUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(paymentUrl, window.location.href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.searchParams.set('purchaseId', purchaseId);
  url.searchParams.set('returnUrl', returnUrl);
  return url.href;
}
