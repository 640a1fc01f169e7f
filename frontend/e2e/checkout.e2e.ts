// Checkout scenarios: holds paid at the test payment provider, given up, and left to expire.
//   FLASHSALE_URL       base URL of sale-api in the `none` auth mode, with a payment page configured
//                       (GET /api/v1/config names it: the Flashsale test payment provider, which
//                       ./flashsale test runs on 26090, calling this sale-api's payment webhook)
//   FLASHSALE_SALE_CMD  creates sales, with `--hold-for` for a checkout
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, buy, createSale, launchBrowser, myPurchaseViaApi, newPage, openSale, saleUrl, screenshot, ui, uniqueId } from './support';

const SECOND = 1_000;
const poll = (timeout: number) => ({ timeout, interval: 200 });
/** The FlashSale resource's shortest hold; what a shopper has to pay in the scenarios that pay or give up. */
const HOLD_FOR = '1m';
/**
 * The hold left to expire. The FlashSale resource allows 1m..24h, but sale-core (and so the sale
 * command) allows holds down to a second so that tests see an expiry in seconds (SaleSpec.MIN_HOLD_FOR):
 * 20 s leave time to visit the payment page before the hold ends.
 */
const EXPIRING_HOLD_FOR = '20s';

let browser: Browser;
const contexts: BrowserContext[] = [];
let paymentUrl: string;

/** The payment page this sale-api sends shoppers to (GET /api/v1/config). */
async function fetchPaymentUrl(): Promise<string> {
  const res = await fetch(`${BASE_URL}/api/v1/config`, { cache: 'no-store' });
  const body = (await res.json()) as { data?: { checkout?: { paymentUrl: string } | null } };
  const url = body.data?.checkout?.paymentUrl;
  if (!url) throw new Error(`${BASE_URL} has no payment page (GET /api/v1/config: ${JSON.stringify(body)}); ./flashsale test configures one`);
  return url;
}

/** An active sale with a checkout: it starts a moment from now. */
async function checkoutSale(scenario: string, initialStock: number, holdFor: string): Promise<{ id: string; productName: string }> {
  const id = uniqueId(scenario);
  const productName = `E2E checkout ${scenario} item`;
  const view = await createSale({ id, productName, initialStock, start: '+2s', end: '+10m', holdFor });
  expect(view.holdForSeconds).toBeGreaterThan(0);
  return { id, productName };
}

async function openLive(sale: { id: string; productName: string }, page?: Page): Promise<Page> {
  const opened = page ?? (await newPage(browser, contexts));
  await openSale(opened, sale.id, sale.productName);
  await expect.poll(() => ui.state(opened), poll(60 * SECOND)).toBe('ACTIVE');
  await expect.poll(() => ui.stream(opened), poll(30 * SECOND)).toBe('live');
  return opened;
}

const checkout = {
  text: (page: Page) => page.getByTestId('checkout').locator('.checkout-status').textContent(),
  countdown: (page: Page) => page.getByTestId('hold-countdown').textContent(),
  payNow: (page: Page) => page.getByRole('link', { name: 'Pay now', exact: true }),
  giveUp: (page: Page) => page.getByRole('button', { name: 'Give up', exact: true }),
};

/** The test payment provider's page and its three buttons. */
const provider = {
  banner: (page: Page) => page.getByText('Flashsale test payment provider — no real money', { exact: true }),
  pay: (page: Page) => page.getByRole('button', { name: 'Pay', exact: true }),
  lettingExpire: (page: Page) => page.getByRole('button', { name: 'Let it expire', exact: true }),
};

/** Back on the sale page from the payment page, once the SPA has taken the payment's outcome out of the address. */
async function backOnSalePage(page: Page, saleId: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === `/sales/${saleId}`, { timeout: 30 * SECOND });
  await expect.poll(() => page.url(), poll(10 * SECOND)).toBe(saleUrl(saleId));
}

describe('Flashsale shopper SPA: checkout', () => {
  beforeAll(async () => {
    paymentUrl = await fetchPaymentUrl();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
  });

  it('pay: Buy reserves with a countdown, Pay now, Pay at the provider, back on the sale: paid', async () => {
    const sale = await checkoutSale('pay', 3, HOLD_FOR);
    const page = await openLive(sale);
    const userId = `alice-${sale.id}`;
    await expect.poll(() => ui.stock(page)).toBe('3 of 3 left');

    await buy(page, userId);
    await expect.poll(() => ui.outcome(page), poll(15 * SECOND)).toBe('SUCCESS');
    await expect.poll(() => ui.holdStatus(page), poll(5 * SECOND)).toBe('HELD');
    expect(await checkout.text(page)).toMatch(/^Reserved for you — pay within 0[01]:\d\d$/);
    const started = await checkout.countdown(page);
    await expect.poll(() => checkout.countdown(page), poll(5 * SECOND)).not.toBe(started);
    // the unit is off sale while held, and everyone sees it reserved
    await expect.poll(() => ui.stock(page), poll(10 * SECOND)).toBe('2 of 3 left');
    await expect.poll(() => ui.held(page), poll(10 * SECOND)).toBe('1 reserved in checkout');
    const purchaseId = await ui.purchaseId(page);
    expect(purchaseId).toBeTruthy();
    await screenshot(page, 'checkout-1-held');

    // Pay now: to the payment page, naming the hold and this sale page to come back to
    const href = new URL((await checkout.payNow(page).getAttribute('href'))!);
    expect(`${href.origin}${href.pathname}`).toBe(paymentUrl);
    expect(href.searchParams.get('purchaseId')).toBe(purchaseId);
    expect(href.searchParams.get('returnUrl')).toBe(saleUrl(sale.id));
    await checkout.payNow(page).click();
    await provider.banner(page).first().waitFor({ timeout: 15 * SECOND });
    await screenshot(page, 'checkout-2-payment-page');

    await provider.pay(page).click();
    await backOnSalePage(page, sale.id);
    await expect.poll(() => ui.outcome(page), poll(15 * SECOND)).toBe('PAYMENT_SUCCEEDED');
    await expect.poll(() => ui.holdStatus(page), poll(15 * SECOND)).toBe('CONFIRMED');
    expect(await checkout.text(page)).toBe("Paid — it's yours.");
    await expect.poll(() => ui.held(page), poll(10 * SECOND)).toBe('');
    expect(await ui.stock(page)).toBe('2 of 3 left');
    expect(await checkout.payNow(page).count()).toBe(0);
    await screenshot(page, 'checkout-3-paid');

    const mine = await myPurchaseViaApi(sale.id, userId);
    expect(mine).toMatchObject({ purchaseId, status: 'CONFIRMED' });

    // A reload shows the purchase paid, and the payment's outcome no more
    await page.reload();
    await expect.poll(() => ui.holdStatus(page), poll(15 * SECOND)).toBe('CONFIRMED');
    expect(await page.locator('[data-outcome]').count()).toBe(0);
  });

  it('give up: the hold ends CANCELLED, its unit goes back on sale for everyone, and Buy reserves again', async () => {
    const sale = await checkoutSale('giveup', 2, HOLD_FOR);
    const page = await openLive(sale);
    const watcher = await openLive(sale);
    await buy(page, `bob-${sale.id}`);
    await expect.poll(() => ui.holdStatus(page), poll(15 * SECOND)).toBe('HELD');
    const firstHold = await ui.purchaseId(page);
    await expect.poll(() => ui.stock(watcher), poll(10 * SECOND)).toBe('1 of 2 left');
    await expect.poll(() => ui.held(watcher), poll(10 * SECOND)).toBe('1 reserved in checkout');

    await checkout.giveUp(page).click();
    await expect.poll(() => ui.outcome(page), poll(15 * SECOND)).toBe('CANCELLED');
    await expect.poll(() => ui.holdStatus(page), poll(5 * SECOND)).toBe('CANCELLED');
    expect(await checkout.text(page)).toBe('You gave up your hold, the units went back on sale.');
    for (const each of [page, watcher]) {
      await expect.poll(() => ui.stock(each), poll(10 * SECOND)).toBe('2 of 2 left');
      await expect.poll(() => ui.held(each), poll(10 * SECOND)).toBe('');
    }
    await screenshot(page, 'giveup-1-cancelled');
    await screenshot(watcher, 'giveup-2-other-shopper');

    // the shopper's allowance is free again
    await ui.buyButton(page).click();
    await expect.poll(() => ui.holdStatus(page), poll(15 * SECOND)).toBe('HELD');
    expect(await ui.purchaseId(page)).not.toBe(firstHold);
    await expect.poll(() => ui.stock(watcher), poll(10 * SECOND)).toBe('1 of 2 left');
  });

  it(
    'expiry: a hold not paid in time ends EXPIRED at its countdown, its unit goes back on sale, a late payment is refused',
    async () => {
      const sale = await checkoutSale('hold-expiry', 1, EXPIRING_HOLD_FOR);
      const page = await openLive(sale);
      await buy(page, `carol-${sale.id}`);
      await expect.poll(() => ui.holdStatus(page), poll(15 * SECOND)).toBe('HELD');
      // no stock, but a hold is open: the sale goes on, as the unit may come back
      await expect.poll(() => ui.stock(page), poll(10 * SECOND)).toBe('0 of 1 left');
      expect(await ui.held(page)).toBe('1 reserved in checkout');
      expect(await ui.state(page)).toBe('ACTIVE');

      // The payment page, left without paying ("Let it expire")…
      const payHref = (await checkout.payNow(page).getAttribute('href'))!;
      await checkout.payNow(page).click();
      await provider.lettingExpire(page).click();
      await backOnSalePage(page, sale.id);
      await expect.poll(() => ui.outcome(page), poll(15 * SECOND)).toBe('PAYMENT_ABANDONED');
      expect(await ui.holdStatus(page)).toBe('HELD');
      // …and open once more in another tab of the same shopper, to pay once the hold is over
      const late = await page.context().newPage();
      late.setDefaultTimeout(10 * SECOND);
      await late.goto(payHref);
      await provider.banner(late).first().waitFor();

      await expect.poll(() => ui.holdStatus(page), poll(40 * SECOND)).toBe('EXPIRED');
      expect(await checkout.text(page)).toBe('Your hold expired, the units went back on sale.');
      await expect.poll(() => ui.stock(page), poll(10 * SECOND)).toBe('1 of 1 left');
      await expect.poll(() => ui.held(page), poll(10 * SECOND)).toBe('');
      expect(await ui.state(page)).toBe('ACTIVE');
      await screenshot(page, 'hold-expiry-1-expired');

      // paid after the hold ended: sale-api refuses it (the provider would refund), and says why
      await provider.pay(late).click();
      await backOnSalePage(late, sale.id);
      await expect.poll(() => ui.outcome(late), poll(15 * SECOND)).toBe('HOLD_EXPIRED');
      expect(await ui.outcomeText(late)).toContain('Payment too late');
      await expect.poll(() => ui.holdStatus(late), poll(15 * SECOND)).toBe('EXPIRED');
      await screenshot(late, 'hold-expiry-2-late-payment-refused');

      // the unit is on sale again: Buy reserves it anew
      await ui.buyButton(page).click();
      await expect.poll(() => ui.holdStatus(page), poll(15 * SECOND)).toBe('HELD');
      await expect.poll(() => ui.stock(page), poll(10 * SECOND)).toBe('0 of 1 left');
    },
    180_000,
  );
});
