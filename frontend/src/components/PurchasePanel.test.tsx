import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Auth } from '../hooks/useAuth';
import { alice, authWrapper, fail, flush, installFetch, ok, oidcSession, ready, saleView, type FakeReply } from '../test/fakes';
import type { Purchase, SaleView } from '../lib/types';
import { PurchasePanel } from './PurchasePanel';

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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Options {
  view?: SaleView;
  /** The self-reported id (none mode) unless told. */
  auth?: Auth;
  buy?: () => FakeReply | Promise<FakeReply>;
  myPurchase?: () => FakeReply;
  /** Answers DELETE /purchases/me (giving up a hold). */
  giveUp?: () => FakeReply;
}

function setup({
  view = saleView(),
  auth,
  buy = () => ok(purchase, 201),
  myPurchase = () => fail(404, 'PURCHASE_NOT_FOUND'),
  giveUp = () => fail(404, 'PURCHASE_NOT_FOUND'),
}: Options = {}) {
  const { calls } = installFetch((_url, init) => (init.method === 'POST' ? buy() : init.method === 'DELETE' ? giveUp() : myPurchase()));
  const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
  const utils = render(<PurchasePanel view={view} offsetMs={0} />, { wrapper: authWrapper(auth) });
  return {
    ...utils,
    user,
    calls,
    posts: () => calls.filter((c) => c.method === 'POST'),
    userId: () => screen.getByLabelText('Your user id'),
    buyButton: () => screen.getByRole('button', { name: /Buy now|Buying…/ }),
  };
}

async function buyAs(s: ReturnType<typeof setup>, id: string) {
  await s.user.clear(s.userId());
  await s.user.type(s.userId(), id);
  await s.user.click(s.buyButton());
}

const outcome = () => document.querySelector('[data-outcome]');

describe('PurchasePanel', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
    window.history.replaceState(null, '', '/');
  });

  it('buys with X-User-Id, a fresh Idempotency-Key and qty, then shows the purchase until it is persisted', async () => {
    let persisted = false;
    const s = setup({ myPurchase: () => (persisted ? ok({ ...purchase, persisted: true }) : ok(purchase)) });
    await buyAs(s, '  alice ');

    expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
    expect(screen.getByText('You got it! Your purchase id is widget-drop-000042.')).toBeInTheDocument();
    expect(outcome()).toHaveAttribute('data-outcome', 'SUCCESS');
    const [post] = s.posts();
    expect(post).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases', body: '{"qty":1}' });
    expect(post?.headers['X-User-Id']).toBe('alice');
    expect(post?.headers['Idempotency-Key']).toMatch(UUID);

    const details = screen.getByTestId('my-purchase');
    expect(details).toHaveTextContent('widget-drop-000042');
    expect(details).toHaveTextContent('Saving…');
    expect(details).toHaveAttribute('data-persisted', 'false');

    persisted = true;
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    await waitFor(() => expect(details).toHaveTextContent('Saved ✓'));
    const polls = s.calls.filter((c) => c.url.endsWith('/purchases/me'));
    expect(polls.at(-1)?.headers['X-User-Id']).toBe('alice');

    const pollsSoFar = polls.length;
    await act(() => vi.advanceTimersByTimeAsync(6_000));
    expect(s.calls.filter((c) => c.url.endsWith('/purchases/me'))).toHaveLength(pollsSoFar);
  });

  it('uses a new Idempotency-Key for every click', async () => {
    const s = setup();
    await buyAs(s, 'alice');
    await screen.findByText('Purchase confirmed');
    await s.user.click(s.buyButton());
    await waitFor(() => expect(s.posts()).toHaveLength(2));
    expect(s.posts()[0]?.headers['Idempotency-Key']).not.toBe(s.posts()[1]?.headers['Idempotency-Key']);
  });

  it('blocks double clicks while a purchase is pending', async () => {
    let answer!: (reply: FakeReply) => void;
    const s = setup({ buy: () => new Promise<FakeReply>((resolve) => (answer = resolve)) });
    await s.user.type(s.userId(), 'alice');
    const button = s.buyButton();
    // Two clicks in the same frame, before React re-renders the button as disabled.
    act(() => {
      button.click();
      button.click();
    });
    await s.user.click(button);
    expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(button).toHaveTextContent('Buying…');
    expect(s.posts()).toHaveLength(1);
    act(() => answer(ok(purchase, 201)));
    expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
    expect(s.buyButton()).toHaveAttribute('aria-disabled', 'false');
  });

  it.each([
    ['', 'Enter a user id.'],
    ['x'.repeat(256), 'The user id is too long (256 characters, at most 255).'],
    ['ali\u0007ce', 'The user id must not contain control characters (such as tabs or line breaks).'],
  ])('validates the user id %# without sending a request', async (value, message) => {
    const s = setup();
    await s.user.clear(s.userId());
    if (value !== '') await s.user.paste(value);
    await s.user.click(s.buyButton());
    expect(screen.getByRole('alert')).toHaveTextContent(message);
    expect(s.userId()).toHaveAttribute('aria-invalid', 'true');
    expect(s.userId()).toHaveFocus();
    expect(s.posts()).toHaveLength(0);
  });

  it('buys with the keyboard alone: Enter in the field, then on the button', async () => {
    const s = setup();
    await s.user.type(s.userId(), 'alice');
    await s.user.keyboard('{Enter}');
    expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
    await s.user.tab();
    expect(s.buyButton()).toHaveFocus();
    await s.user.keyboard('{Enter}');
    await waitFor(() => expect(s.posts()).toHaveLength(2));
    expect(s.buyButton()).toHaveFocus();
  });

  it('remembers the user id and restores the purchase after a reload', async () => {
    const first = setup();
    await first.user.type(first.userId(), 'alice');
    expect(localStorage.getItem('flashsale.userId')).toBe('alice');
    first.unmount();

    const s = setup({ myPurchase: () => ok({ ...purchase, persisted: true }) });
    expect(s.userId()).toHaveValue('alice');
    const details = await screen.findByTestId('my-purchase');
    expect(details).toHaveTextContent('widget-drop-000042');
    expect(details).toHaveTextContent('Saved ✓');
    expect(s.calls[0]).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases/me', headers: { 'X-User-Id': 'alice' } });
  });

  it('shows no purchase when /purchases/me answers PURCHASE_NOT_FOUND', async () => {
    localStorage.setItem('flashsale.userId', 'carol');
    const s = setup();
    await waitFor(() => expect(s.calls).toHaveLength(1));
    expect(screen.queryByTestId('my-purchase')).not.toBeInTheDocument();
  });

  it('asks for only a quantity when more than one unit is allowed', async () => {
    const single = setup();
    expect(screen.queryByLabelText(/Quantity/)).not.toBeInTheDocument();
    single.unmount();

    const s = setup({ view: saleView({ perUserLimit: 3 }) });
    const qty = screen.getByLabelText('Quantity (at most 3)');
    await s.user.clear(qty);
    await s.user.type(qty, '4');
    await s.user.type(s.userId(), 'alice');
    await s.user.click(s.buyButton());
    expect(screen.getByRole('alert')).toHaveTextContent('You can buy at most 3 per shopper.');
    expect(s.posts()).toHaveLength(0);

    await s.user.clear(qty);
    await s.user.type(qty, '2');
    await s.user.click(s.buyButton());
    await waitFor(() => expect(s.posts()).toHaveLength(1));
    expect(s.posts()[0]?.body).toBe('{"qty":2}');
  });

  it.each(['UPCOMING', 'PAUSED', 'ENDED'] as const)('cannot buy while %s', (state) => {
    setup({ view: saleView({ state }) });
    expect(screen.getByRole('button')).toBeDisabled();
  });

  it.each([
    [fail(409, 'SOLD_OUT'), 'SOLD_OUT', 'Sold out'],
    [fail(409, 'SALE_NOT_ACTIVE', { state: 'PAUSED' }), 'SALE_NOT_ACTIVE', 'The sale is paused. Try again when it resumes.'],
    [fail(409, 'SALE_ENDED', { endReason: 'TIME_EXPIRED' }), 'SALE_ENDED', 'The sale has ended: its time ran out.'],
    [fail(409, 'LIMIT_EXCEEDED'), 'LIMIT_EXCEEDED', 'That would take you over the limit of 1 per shopper.'],
    [fail(409, 'INSUFFICIENT_STOCK'), 'INSUFFICIENT_STOCK', 'Only 87 left. Lower the quantity and try again.'],
    [fail(400, 'VALIDATION_ERROR', { fields: { 'X-User-Id': 'must not be blank' } }), 'VALIDATION_ERROR', 'X-User-Id: must not be blank'],
    [fail(404, 'SALE_NOT_FOUND'), 'SALE_NOT_FOUND', 'This sale does not exist.'],
    [fail(429, 'RATE_LIMITED', { retryAfter: 4 }, { 'Retry-After': '4' }), 'RATE_LIMITED', 'Try again in 4 s.'],
    [fail(429, 'RATE_LIMITED', {}, { 'Retry-After': '6' }), 'RATE_LIMITED', 'Try again in 6 s.'],
    [fail(503, 'SERVICE_UNAVAILABLE', {}, { 'Retry-After': '1' }), 'SERVICE_UNAVAILABLE', 'We could not take your order right now. Try again in 1 s.'],
    ['network-error' as const, 'NETWORK_ERROR', 'Could not reach the shop. Check your connection and try again.'],
  ])('shows outcome %#: %s', async (reply, code, text) => {
    const s = setup({ buy: () => reply });
    await buyAs(s, 'alice');
    await waitFor(() => expect(outcome()).toHaveAttribute('data-outcome', code));
    expect(outcome()).toHaveTextContent(text);
    expect(outcome()?.parentElement).toHaveAttribute('aria-live', 'polite');
    expect(screen.queryByTestId('my-purchase')).not.toBeInTheDocument();
  });

  it('shows the existing purchase on ALREADY_PURCHASED', async () => {
    const s = setup({ buy: () => fail(409, 'ALREADY_PURCHASED', { purchase: { ...purchase, persisted: true } }) });
    await buyAs(s, 'alice');
    expect(await screen.findByText('Already purchased')).toBeInTheDocument();
    expect(outcome()).toHaveTextContent('You already bought this: purchase widget-drop-000042.');
    expect(screen.getByTestId('my-purchase')).toHaveTextContent('widget-drop-000042');
  });

  it('after a network failure, looks up whether the purchase went through', async () => {
    const s = setup({ buy: () => 'network-error', myPurchase: () => ok(purchase) });
    await s.user.type(s.userId(), 'alice');
    await s.user.click(s.buyButton());
    expect(await screen.findByText('Network problem')).toBeInTheDocument();
    expect(await screen.findByTestId('my-purchase')).toHaveTextContent('widget-drop-000042');
  });

  describe('herd jitter', () => {
    // No real time may pass here: the 2 s window is measured against the clock.
    beforeEach(() => {
      vi.useFakeTimers({ now: Date.parse('2026-02-15T10:00:00.500Z') });
      vi.spyOn(Math, 'random').mockReturnValue(0.8);
    });

    function clickBuy(startTime: string) {
      const s = setup({ view: saleView({ startTime }) });
      fireEvent.change(s.userId(), { target: { value: 'alice' } });
      fireEvent.click(s.buyButton());
      return s;
    }

    it('delays a click in the first 2 s of the sale by up to 500 ms', async () => {
      const s = clickBuy('2026-02-15T10:00:00.000Z');
      await flush(390);
      expect(s.posts()).toHaveLength(0);
      await flush(20);
      expect(s.posts()).toHaveLength(1);
    });

    it('sends at once later in the sale', async () => {
      const s = clickBuy('2026-02-15T09:59:58.000Z');
      await flush();
      expect(s.posts()).toHaveLength(1);
    });
  });
  describe('by auth mode', () => {
    it('none: asks for the user id, labelled as a test mode', () => {
      const s = setup();
      expect(s.userId()).toHaveAccessibleDescription('Test mode: self-reported shopper id, no sign-in.');
      expect(screen.queryByRole('button', { name: 'Sign in to buy' })).not.toBeInTheDocument();
    });

    it('oidc, signed out: no user id field, and the button signs in (keeping the quantity)', async () => {
      const session = oidcSession(null);
      const s = setup({ view: saleView({ perUserLimit: 3 }), auth: ready(session) });
      expect(screen.queryByLabelText('Your user id')).not.toBeInTheDocument();
      expect(screen.queryByText(/Test mode/)).not.toBeInTheDocument();
      const qty = screen.getByLabelText('Quantity (at most 3)');
      await s.user.clear(qty);
      await s.user.type(qty, '2');
      await s.user.click(screen.getByRole('button', { name: 'Sign in to buy' }));
      expect(session.signIn).toHaveBeenCalledWith({ path: '/sales/widget-drop', qty: '2' });
      expect(s.calls).toHaveLength(0);
    });

    it('oidc, signed out: signing in is offered before the start, not after the end', () => {
      const upcoming = setup({ view: saleView({ state: 'UPCOMING' }), auth: ready(oidcSession(null)) });
      expect(screen.getByRole('button', { name: 'Sign in to buy' })).toBeEnabled();
      upcoming.unmount();
      setup({ view: saleView({ state: 'ENDED' }), auth: ready(oidcSession(null)) });
      expect(screen.getByRole('button', { name: 'Sale ended' })).toBeDisabled();
    });

    it('oidc, signed in: buys with the bearer token and shows their purchase', async () => {
      const s = setup({ auth: ready(oidcSession(alice)), myPurchase: () => ok({ ...purchase, userId: 'sub-alice', persisted: true }) });
      expect(await screen.findByTestId('my-purchase')).toHaveTextContent('widget-drop-000042');
      expect(screen.queryByLabelText('Your user id')).not.toBeInTheDocument();
      await s.user.click(s.buyButton());
      await waitFor(() => expect(s.posts()).toHaveLength(1));
      expect(s.posts()[0]?.headers.Authorization).toBe('Bearer token-alice');
      expect(s.posts()[0]?.headers).not.toHaveProperty('X-User-Id');
      expect(s.calls[0]?.headers.Authorization).toBe('Bearer token-alice');
    });

    it('trusted-header: no field, no sign-in, no shopper header', async () => {
      const s = setup({ auth: ready({ mode: 'trusted-header' }) });
      expect(screen.queryByLabelText('Your user id')).not.toBeInTheDocument();
      await s.user.click(s.buyButton());
      expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
      for (const call of s.calls) expect(Object.keys(call.headers)).not.toContain('X-User-Id');
      expect(s.posts()[0]?.headers).not.toHaveProperty('Authorization');
    });

    it('waits for the shop to say how it identifies shoppers', () => {
      setup({ auth: { status: 'loading' } });
      expect(screen.getByRole('status')).toHaveTextContent('Getting ready…');
      expect(screen.queryByRole('button')).not.toBeInTheDocument();
    });

    it('says so when that could not be loaded, and can try again at once', async () => {
      const retry = vi.fn();
      const s = setup({ auth: { status: 'unavailable', trying: false, retry } });
      expect(screen.getByRole('alert')).toHaveTextContent("The shop's sign-in settings could not be loaded. You can buy as soon as they are");
      await s.user.click(screen.getByRole('button', { name: 'Try again now' }));
      expect(retry).toHaveBeenCalledTimes(1);
      s.unmount();

      const trying = setup({ auth: { status: 'unavailable', trying: true, retry } });
      const button = screen.getByRole('button', { name: 'Trying…' });
      expect(button).toHaveAttribute('aria-disabled', 'true');
      await trying.user.click(button);
      expect(retry).toHaveBeenCalledTimes(1);
    });
  });

  describe('checkout', () => {
    const checkoutSale = saleView({ holdForSeconds: 600 });
    const withPayments = ready({ mode: 'none' }, { paymentUrl: 'http://127.0.0.1:16090/pay' });
    const hold = (overrides: Partial<Purchase> = {}): Purchase => ({
      ...purchase,
      status: 'HELD',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      persisted: true,
      ...overrides,
    });
    const checkout = () => screen.getByTestId('checkout');

    it('Buy reserves: the hold with its countdown, Pay now to the payment page and back to this sale', async () => {
      const s = setup({ view: checkoutSale, auth: withPayments, buy: () => ok(hold(), 201) });
      await buyAs(s, 'alice');
      expect(await screen.findByText('Reserved')).toBeInTheDocument();
      expect(outcome()).toHaveAttribute('data-outcome', 'SUCCESS');
      expect(checkout()).toHaveAttribute('data-status', 'HELD');
      expect(checkout()).toHaveTextContent(/^Reserved for you — pay within (10:00|09:5\d)/);
      expect(screen.getByRole('timer')).toBeInTheDocument();
      const back = encodeURIComponent(`${window.location.origin}/sales/widget-drop`);
      expect(screen.getByRole('link', { name: 'Pay now' })).toHaveAttribute(
        'href',
        `http://127.0.0.1:16090/pay?purchaseId=widget-drop-000042&returnUrl=${back}`,
      );
      expect(screen.getByTestId('my-purchase')).toHaveTextContent('widget-drop-000042');
    });

    it('Give up: the hold ends CANCELLED, and Buy is there again', async () => {
      const s = setup({ view: checkoutSale, auth: withPayments, buy: () => ok(hold(), 201), giveUp: () => ok(hold({ status: 'CANCELLED' })) });
      await buyAs(s, 'alice');
      await s.user.click(await screen.findByRole('button', { name: 'Give up' }));
      expect(await screen.findByText('Hold given up')).toBeInTheDocument();
      expect(outcome()).toHaveAttribute('data-outcome', 'CANCELLED');
      expect(checkout()).toHaveAttribute('data-status', 'CANCELLED');
      expect(checkout()).toHaveTextContent('You gave up your hold, the units went back on sale.');
      expect(screen.queryByRole('button', { name: 'Give up' })).not.toBeInTheDocument();
      const [deleted] = s.calls.filter((c) => c.method === 'DELETE');
      expect(deleted).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases/me', headers: { 'X-User-Id': 'alice' } });
      expect(s.buyButton()).toBeEnabled();
    });

    it('an expired hold restored on arrival says so, and Buy reserves again', async () => {
      localStorage.setItem('flashsale.userId', 'alice');
      const s = setup({
        view: checkoutSale,
        auth: withPayments,
        myPurchase: () => ok(hold({ status: 'EXPIRED', expiresAt: new Date(Date.now() - 1_000).toISOString() })),
        buy: () => ok(hold({ purchaseId: 'widget-drop-000043' }), 201),
      });
      await waitFor(() => expect(checkout()).toHaveAttribute('data-status', 'EXPIRED'));
      expect(checkout()).toHaveTextContent('Your hold expired, the units went back on sale.');
      await s.user.click(s.buyButton());
      await waitFor(() => expect(checkout()).toHaveAttribute('data-status', 'HELD'));
      expect(screen.getByTestId('my-purchase')).toHaveAttribute('data-purchase-id', 'widget-drop-000043');
    });

    it('back from the payment page: says how it went and shows the hold paid', async () => {
      localStorage.setItem('flashsale.userId', 'alice');
      window.history.replaceState(null, '', '/sales/widget-drop?payment=succeeded');
      setup({ view: checkoutSale, auth: withPayments, myPurchase: () => ok(hold({ status: 'CONFIRMED' })) });
      expect(screen.getByText('Payment received')).toBeInTheDocument();
      expect(outcome()).toHaveAttribute('data-outcome', 'PAYMENT_SUCCEEDED');
      await waitFor(() => expect(checkout()).toHaveAttribute('data-status', 'CONFIRMED'));
      expect(checkout()).toHaveTextContent("Paid — it's yours.");
      expect(window.location.search).toBe('');
    });

    it('a purchase without checkout shows no hold', async () => {
      const s = setup({ auth: withPayments });
      await buyAs(s, 'alice');
      expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
      expect(screen.queryByTestId('checkout')).not.toBeInTheDocument();
    });
  });
});
