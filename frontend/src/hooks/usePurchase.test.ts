import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Purchase, SaleView } from '../lib/types';
import { alice, fail, flush, installFetch, ok, oidcSession, saleView, type FakeReply, type FakeRoute } from '../test/fakes';
import type { Session } from './useAuth';
import { HOLD_RECHECK_MS, HOLD_RECHECKS, PERSISTED_POLL_MS, usePurchase, type BuyStart } from './usePurchase';

// Fully fake timers: the herd window and the persisted poll are measured exactly.
const T0 = Date.parse('2026-02-15T10:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const purchaseBy = (userId: string, overrides: Partial<Purchase> = {}): Purchase => ({
  purchaseId: `widget-drop-${userId}`,
  saleId: 'widget-drop',
  userId,
  qty: 1,
  purchasedAt: '2026-02-15T10:00:01.234Z',
  status: 'CONFIRMED',
  expiresAt: null,
  persisted: false,
  ...overrides,
});

/** A reply the test hands out later. */
function deferred() {
  let resolve!: (reply: FakeReply) => void;
  const promise = new Promise<FakeReply>((r) => (resolve = r));
  return { promise, resolve };
}

interface Options {
  sale?: SaleView;
  /** How the shop identifies shoppers: the self-reported id unless told. */
  session?: Session;
  /** Answers POST /purchases. */
  buy?: FakeRoute;
  /** Answers GET /purchases/me. */
  myPurchase?: FakeRoute;
  /** Answers DELETE /purchases/me (giving up a hold). */
  giveUp?: FakeRoute;
  /** Server clock minus browser clock. */
  offsetMs?: number;
}

async function setup({
  sale = saleView(),
  session = { mode: 'none' },
  buy = () => ok(purchaseBy('alice'), 201),
  myPurchase = () => fail(404, 'PURCHASE_NOT_FOUND'),
  giveUp = () => fail(404, 'PURCHASE_NOT_FOUND'),
  offsetMs = 0,
}: Options = {}) {
  const { calls } = installFetch((url, init) =>
    init.method === 'POST' ? buy(url, init) : init.method === 'DELETE' ? giveUp(url, init) : myPurchase(url, init),
  );
  const hook = renderHook(({ view, session }) => usePurchase(view, offsetMs, session), { initialProps: { view: sale, session } });
  await flush();
  const result = () => hook.result.current;
  return {
    ...hook,
    calls,
    result,
    posts: () => calls.filter((c) => c.method === 'POST'),
    deletes: () => calls.filter((c) => c.method === 'DELETE'),
    lookups: () => calls.filter((c) => c.method === 'GET' && c.url.endsWith('/purchases/me')).map((c) => c.headers['X-User-Id']),
    type: (userId: string) => act(() => result().setUserId(userId)),
    buy: () => {
      let started: BuyStart | undefined;
      act(() => {
        started = result().buy();
      });
      return started;
    },
  };
}

const user = (id: string) => (_url: string, init: RequestInit) => (init.headers as Record<string, string>)['X-User-Id'] === id;

describe('usePurchase', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
    window.history.replaceState(null, '', '/');
  });

  describe('on mount', () => {
    it('starts idle with an empty form and looks nothing up when no user id is remembered', async () => {
      const s = await setup();
      expect(s.result()).toMatchObject({ state: { status: 'idle' }, userId: '', qty: '1', purchase: null });
      expect(s.calls).toHaveLength(0);
    });

    it('restores the purchase of the remembered shopper', async () => {
      localStorage.setItem('flashsale.userId', 'alice');
      const s = await setup({ myPurchase: () => ok(purchaseBy('alice', { persisted: true })) });
      expect(s.result().userId).toBe('alice');
      expect(s.lookups()).toEqual(['alice']);
      expect(s.result().purchase).toEqual(purchaseBy('alice', { persisted: true }));
      expect(s.result().state).toEqual({ status: 'idle' });
    });

    it('shows no purchase when the remembered shopper has none, and does not ask for an invalid id', async () => {
      localStorage.setItem('flashsale.userId', 'carol');
      const s = await setup();
      expect(s.lookups()).toEqual(['carol']);
      expect(s.result().purchase).toBeNull();
      s.unmount();

      localStorage.setItem('flashsale.userId', '   ');
      const blank = await setup();
      expect(blank.calls).toHaveLength(0);
    });
  });

  describe('the form', () => {
    it('remembers the user id as typed', async () => {
      const s = await setup();
      s.type(' bob');
      expect(s.result().userId).toBe(' bob');
      expect(localStorage.getItem('flashsale.userId')).toBe(' bob');
    });

    it('looks up the purchase of a confirmed user id once, and not for an invalid one', async () => {
      const s = await setup({ myPurchase: (url, init) => (user('bob')(url, init) ? ok(purchaseBy('bob')) : fail(404, 'PURCHASE_NOT_FOUND')) });
      s.type('');
      act(() => s.result().confirmUserId());
      await flush();
      expect(s.lookups()).toEqual([]);

      s.type('  bob ');
      act(() => s.result().confirmUserId());
      await flush();
      expect(s.lookups()).toEqual(['bob']);
      expect(s.result().purchase?.userId).toBe('bob');

      act(() => s.result().confirmUserId());
      await flush();
      expect(s.lookups()).toEqual(['bob']);
    });

    it('drops a late answer for the user id typed before', async () => {
      localStorage.setItem('flashsale.userId', 'alice');
      const aliceAnswer = deferred();
      const s = await setup({ myPurchase: (url, init) => (user('alice')(url, init) ? aliceAnswer.promise : fail(404, 'PURCHASE_NOT_FOUND')) });
      s.type('bob');
      act(() => s.result().confirmUserId());
      await flush();
      aliceAnswer.resolve(ok(purchaseBy('alice')));
      await flush();
      expect(s.lookups()).toEqual(['alice', 'bob']);
      expect(s.result().purchase).toBeNull();
    });
  });

  describe('idle → invalid: nothing is sent', () => {
    it.each([
      ['', 'Enter a user id.'],
      ['x'.repeat(256), 'The user id is too long (256 characters, at most 255).'],
      ['ali\tce', 'The user id must not contain control characters (such as tabs or line breaks).'],
    ])('for the user id %#', async (userId, message) => {
      const s = await setup();
      s.type(userId);
      expect(s.buy()).toBe('invalid-user-id');
      expect(s.result().state).toEqual({ status: 'invalid', userIdError: message, qtyError: null });
      await flush(1_000);
      expect(s.posts()).toHaveLength(0);
    });

    it('for the quantity, when more than one unit may be bought', async () => {
      const s = await setup({ sale: saleView({ perUserLimit: 3 }) });
      s.type('alice');
      act(() => s.result().setQty('4'));
      expect(s.buy()).toBe('invalid-qty');
      expect(s.result().state).toEqual({ status: 'invalid', userIdError: null, qtyError: 'You can buy at most 3 per shopper.' });

      act(() => s.result().setQty('0'));
      s.type('');
      expect(s.buy()).toBe('invalid-user-id');
      expect(s.result().state).toEqual({
        status: 'invalid',
        userIdError: 'Enter a user id.',
        qtyError: 'Enter a quantity of at least 1.',
      });
      await flush();
      expect(s.posts()).toHaveLength(0);
    });

    it('ignores the quantity field when only one unit may be bought', async () => {
      const s = await setup();
      s.type('alice');
      act(() => s.result().setQty('7'));
      expect(s.buy()).toBe('started');
      await flush();
      expect(s.posts()[0]?.body).toBe('{"qty":1}');
    });
  });

  describe('idle | invalid → pending → done', () => {
    it('sends the trimmed user id, a fresh Idempotency-Key and the quantity, then shows the purchase', async () => {
      const answer = deferred();
      const s = await setup({ sale: saleView({ perUserLimit: 3 }), buy: () => answer.promise });
      expect(s.buy()).toBe('invalid-user-id');

      s.type('  alice ');
      act(() => s.result().setQty('2'));
      expect(s.buy()).toBe('started');
      expect(s.result().state).toEqual({ status: 'pending' });
      await flush();
      expect(s.posts()).toHaveLength(1);
      const [post] = s.posts();
      expect(post).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases', body: '{"qty":2}' });
      expect(post?.headers['X-User-Id']).toBe('alice');
      expect(post?.headers['Idempotency-Key']).toMatch(UUID);

      answer.resolve(ok(purchaseBy('alice', { qty: 2 }), 201));
      await flush();
      expect(s.result().state).toMatchObject({
        status: 'done',
        outcome: { kind: 'success', code: 'SUCCESS', title: 'Purchase confirmed' },
      });
      expect(s.result().purchase).toEqual(purchaseBy('alice', { qty: 2 }));
    });

    it('ignores clicks while pending, then takes the next one with a new Idempotency-Key', async () => {
      let answer = deferred();
      const s = await setup({ buy: () => answer.promise });
      s.type('alice');
      let second: BuyStart | undefined;
      act(() => {
        s.result().buy();
        // the same frame: React has not re-rendered yet
        second = s.result().buy();
      });
      expect(second).toBe('busy');
      expect(s.buy()).toBe('busy');
      await flush();
      expect(s.posts()).toHaveLength(1);

      answer.resolve(ok(purchaseBy('alice'), 201));
      await flush();
      expect(s.result().state.status).toBe('done');

      answer = deferred();
      expect(s.buy()).toBe('started');
      expect(s.result().state).toEqual({ status: 'pending' });
      await flush();
      expect(s.posts()).toHaveLength(2);
      expect(s.posts()[0]?.headers['Idempotency-Key']).not.toBe(s.posts()[1]?.headers['Idempotency-Key']);
    });

    it.each([
      [fail(409, 'SOLD_OUT'), 'warning', 'SOLD_OUT'],
      [fail(409, 'LIMIT_EXCEEDED'), 'warning', 'LIMIT_EXCEEDED'],
      [fail(429, 'RATE_LIMITED', { retryAfter: 4 }), 'warning', 'RATE_LIMITED'],
      [fail(400, 'VALIDATION_ERROR', { fields: { qty: 'must be at most 100' } }), 'error', 'VALIDATION_ERROR'],
    ])('ends in a refusal %#, with no purchase', async (reply, kind, code) => {
      const s = await setup({ buy: () => reply });
      s.type('alice');
      s.buy();
      await flush();
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { kind, code } });
      expect(s.result().purchase).toBeNull();
    });

    it('shows the existing purchase on ALREADY_PURCHASED', async () => {
      const existing = purchaseBy('alice', { persisted: true });
      const s = await setup({ buy: () => fail(409, 'ALREADY_PURCHASED', { purchase: existing }) });
      s.type('alice');
      s.buy();
      await flush();
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'ALREADY_PURCHASED' } });
      expect(s.result().purchase).toEqual(existing);
    });

    it('after a network failure, looks up whether the purchase went through', async () => {
      const s = await setup({ buy: () => 'network-error', myPurchase: () => ok(purchaseBy('alice')) });
      s.type('alice');
      s.buy();
      await flush();
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'NETWORK_ERROR' } });
      expect(s.lookups()).toEqual(['alice']);
      expect(s.result().purchase).toEqual(purchaseBy('alice'));
    });

    it('uses the stock and limit of the sale it was clicked in for the message', async () => {
      const s = await setup({ sale: saleView({ stock: 5, perUserLimit: 2 }), buy: () => fail(409, 'INSUFFICIENT_STOCK') });
      s.type('alice');
      act(() => s.result().setQty('2'));
      s.buy();
      await flush();
      expect(s.result().state).toMatchObject({ outcome: { detail: 'Only 5 left. Lower the quantity and try again.' } });
    });
  });

  describe('done → invalid', () => {
    it('clears the last outcome when the next click is refused', async () => {
      const s = await setup();
      s.type('alice');
      s.buy();
      await flush();
      expect(s.result().state.status).toBe('done');
      s.type('');
      expect(s.buy()).toBe('invalid-user-id');
      expect(s.result().state).toEqual({ status: 'invalid', userIdError: 'Enter a user id.', qtyError: null });
      expect(s.result().purchase).toEqual(purchaseBy('alice'));
    });
  });

  describe('pending → idle', () => {
    it('when something throws instead of answering, the form is usable again', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const uuid = vi.spyOn(crypto, 'randomUUID').mockImplementationOnce(() => {
        throw new Error('no entropy');
      });
      const s = await setup();
      s.type('alice');
      expect(s.buy()).toBe('started');
      await flush();
      expect(s.result().state).toEqual({ status: 'idle' });
      expect(consoleError).toHaveBeenCalledWith('purchase failed', expect.any(Error));
      expect(s.posts()).toHaveLength(0);

      uuid.mockRestore();
      expect(s.buy()).toBe('started');
      await flush();
      expect(s.result().state.status).toBe('done');
    });
  });

  describe('closed sale', () => {
    it.each(['UPCOMING', 'PAUSED', 'ENDED'] as const)('does nothing while %s', async (state) => {
      const s = await setup({ sale: saleView({ state }) });
      s.type('alice');
      expect(s.buy()).toBe('closed');
      expect(s.result().state).toEqual({ status: 'idle' });
      await flush(1_000);
      expect(s.posts()).toHaveLength(0);
    });

    it('buys once the sale it is given turns active', async () => {
      const s = await setup({ sale: saleView({ state: 'UPCOMING' }) });
      s.type('alice');
      expect(s.buy()).toBe('closed');
      s.rerender({ view: saleView({ state: 'ACTIVE' }), session: { mode: 'none' } });
      expect(s.buy()).toBe('started');
      await flush();
      expect(s.posts()).toHaveLength(1);
    });
  });

  describe('herd window', () => {
    beforeEach(() => {
      vi.spyOn(Math, 'random').mockReturnValue(0.8);
    });

    it('holds a click in the first 2 s of the sale for up to 500 ms, pending all along', async () => {
      const s = await setup({ sale: saleView({ startTime: new Date(T0 - 500).toISOString() }) });
      s.type('alice');
      s.buy();
      await flush(390);
      expect(s.posts()).toHaveLength(0);
      expect(s.result().state).toEqual({ status: 'pending' });
      expect(s.buy()).toBe('busy');
      await flush(20);
      expect(s.posts()).toHaveLength(1);
    });

    it('sends at once later in the sale', async () => {
      const s = await setup({ sale: saleView({ startTime: new Date(T0 - 2_000).toISOString() }) });
      s.type('alice');
      s.buy();
      await flush();
      expect(s.posts()).toHaveLength(1);
    });
  });

  describe('until the purchase is persisted', () => {
    it('re-checks it every 2 s, and stops once PostgreSQL has it', async () => {
      let persisted = false;
      const s = await setup({ myPurchase: () => ok(purchaseBy('alice', { persisted })) });
      s.type('alice');
      s.buy();
      await flush();
      expect(s.result().purchase?.persisted).toBe(false);
      expect(s.lookups()).toEqual([]);

      await flush(PERSISTED_POLL_MS);
      expect(s.lookups()).toEqual(['alice']);
      persisted = true;
      await flush(PERSISTED_POLL_MS);
      expect(s.lookups()).toEqual(['alice', 'alice']);
      expect(s.result().purchase?.persisted).toBe(true);

      await flush(5 * PERSISTED_POLL_MS);
      expect(s.lookups()).toHaveLength(2);
    });

    it("drops a re-check answer once another shopper's purchase is shown", async () => {
      const alicePoll = deferred();
      const s = await setup({
        myPurchase: (url, init) => (user('alice')(url, init) ? alicePoll.promise : ok(purchaseBy('bob', { persisted: true }))),
      });
      s.type('alice');
      s.buy();
      await flush();
      await flush(PERSISTED_POLL_MS);
      expect(s.lookups()).toEqual(['alice']);

      s.type('bob');
      act(() => s.result().confirmUserId());
      await flush();
      expect(s.result().purchase?.userId).toBe('bob');

      alicePoll.resolve(ok(purchaseBy('alice', { persisted: true })));
      await flush();
      expect(s.result().purchase).toEqual(purchaseBy('bob', { persisted: true }));
    });
  });
  describe('signed in through the identity provider (oidc)', () => {
    const bearer = (calls: Array<{ headers: Record<string, string> }>) => calls.map((c) => c.headers.Authorization);

    it('shows the purchase of the signed-in shopper, asking with the access token', async () => {
      const s = await setup({ session: oidcSession(alice), myPurchase: () => ok(purchaseBy('sub-alice', { persisted: true })) });
      const [lookup] = s.calls;
      expect(lookup).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases/me', headers: { Authorization: 'Bearer token-alice' } });
      expect(lookup?.headers).not.toHaveProperty('X-User-Id');
      expect(s.result().purchase?.userId).toBe('sub-alice');
    });

    it('buys with the access token and no user id; re-checks with the renewed token', async () => {
      const s = await setup({ session: oidcSession(alice), buy: () => ok(purchaseBy('sub-alice'), 201), myPurchase: () => ok(purchaseBy('sub-alice')) });
      expect(s.buy()).toBe('started');
      await flush();
      const [post] = s.posts();
      expect(post?.headers).toMatchObject({ Authorization: 'Bearer token-alice', 'Idempotency-Key': expect.stringMatching(UUID) });
      expect(post?.headers).not.toHaveProperty('X-User-Id');
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'SUCCESS' } });

      // A silent renew: same shopper, new token.
      s.rerender({ view: saleView(), session: oidcSession({ ...alice, accessToken: 'token-alice-2' }) });
      await flush(PERSISTED_POLL_MS);
      expect(bearer(s.calls.filter((c) => c.method === 'GET')).at(-1)).toBe('Bearer token-alice-2');
    });

    it('signed out: a click on Buy signs in, to come back to this sale with the quantity chosen', async () => {
      const session = oidcSession(null);
      const s = await setup({ sale: saleView({ perUserLimit: 3 }), session });
      expect(s.calls).toHaveLength(0);
      act(() => s.result().setQty('2'));
      expect(s.buy()).toBe('signing-in');
      expect(session.signIn).toHaveBeenCalledWith({ path: '/sales/widget-drop', qty: '2' });
      await flush();
      expect(s.posts()).toHaveLength(0);
      expect(s.result().state).toEqual({ status: 'idle' });
    });

    it('signed out: signs in before the sale starts, but not after it ended', async () => {
      const session = oidcSession(null);
      const s = await setup({ sale: saleView({ state: 'UPCOMING' }), session });
      expect(s.buy()).toBe('signing-in');
      s.rerender({ view: saleView({ state: 'ENDED' }), session });
      expect(s.buy()).toBe('closed');
      expect(session.signIn).toHaveBeenCalledTimes(1);
    });

    it('says so when the identity provider cannot be reached', async () => {
      const s = await setup({ session: oidcSession(null, { signIn: vi.fn(() => Promise.reject(new Error('metadata: 503'))) }) });
      s.buy();
      await flush();
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'SIGN_IN_UNAVAILABLE', title: 'Sign-in unavailable' } });
    });

    it('a 401 while buying (the session expired) signs in again, back to this sale with the quantity', async () => {
      const session = oidcSession(alice);
      const s = await setup({
        sale: saleView({ perUserLimit: 3 }),
        session,
        buy: () => fail(401, 'UNAUTHENTICATED', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
      });
      act(() => s.result().setQty('3'));
      expect(s.buy()).toBe('started');
      await flush();
      expect(session.signIn).toHaveBeenCalledWith({ path: '/sales/widget-drop', qty: '3' });
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'UNAUTHENTICATED', title: 'Please sign in again' } });
      expect(s.result().purchase).toBeNull();
    });

    it('starts with the quantity carried back through a sign-in', async () => {
      window.history.replaceState({ path: '/sales/widget-drop', qty: '2' }, '', '/sales/widget-drop');
      const s = await setup({ sale: saleView({ perUserLimit: 3 }), session: oidcSession(alice) });
      expect(s.result().qty).toBe('2');
    });
  });

  describe('behind an authenticating gateway (trusted-header)', () => {
    it('says nothing about the shopper: the gateway does', async () => {
      const s = await setup({ session: { mode: 'trusted-header' }, myPurchase: () => ok(purchaseBy('gw-alice', { persisted: true })) });
      expect(s.calls).toHaveLength(1);
      expect(s.result().purchase?.userId).toBe('gw-alice');
      expect(s.buy()).toBe('started');
      await flush();
      for (const call of s.calls) {
        expect(call.headers).not.toHaveProperty('X-User-Id');
        expect(call.headers).not.toHaveProperty('Authorization');
      }
      expect(s.posts()).toHaveLength(1);
    });

    it('explains a 401 (the gateway did not say who) without signing in', async () => {
      const s = await setup({ session: { mode: 'trusted-header' }, buy: () => fail(401, 'UNAUTHENTICATED') });
      s.buy();
      await flush();
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'UNAUTHENTICATED', title: 'Not signed in' } });
    });
  });

  describe('checkout', () => {
    // Persisted from the start: only the hold's own re-reads ask for the purchase.
    const hold = (overrides: Partial<Purchase> = {}) =>
      purchaseBy('alice', { status: 'HELD', expiresAt: new Date(T0 + 10_000).toISOString(), persisted: true, ...overrides });
    const checkoutSale = saleView({ holdForSeconds: 600, startTime: new Date(T0 - 60_000).toISOString() });

    async function bought(options: Options = {}) {
      const s = await setup({ sale: checkoutSale, buy: () => ok(hold(), 201), ...options });
      s.type('alice');
      s.buy();
      await flush();
      return s;
    }

    it('reads the hold again once its time is over, every second until it shows expired', async () => {
      let status: Purchase['status'] = 'HELD';
      const s = await bought({ myPurchase: () => ok(hold({ status })) });
      expect(s.result().purchase?.status).toBe('HELD');
      expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'SUCCESS', title: 'Reserved' } });

      await flush(9_999);
      expect(s.lookups()).toEqual([]);
      await flush(1);
      expect(s.lookups()).toEqual(['alice']);
      await flush(HOLD_RECHECK_MS);
      expect(s.lookups()).toHaveLength(2);
      status = 'EXPIRED';
      await flush(HOLD_RECHECK_MS);
      expect(s.lookups()).toHaveLength(3);
      expect(s.result().purchase?.status).toBe('EXPIRED');

      await flush(10 * HOLD_RECHECK_MS);
      expect(s.lookups()).toHaveLength(3);
    });

    it(`gives up after ${HOLD_RECHECKS} more re-reads when the expiry does not show`, async () => {
      const s = await bought({ myPurchase: () => ok(hold()) });
      await flush(10_000);
      expect(s.lookups()).toHaveLength(1);
      await flush(30 * HOLD_RECHECK_MS);
      expect(s.lookups()).toHaveLength(1 + HOLD_RECHECKS);
      expect(s.result().purchase?.status).toBe('HELD');
    });

    it("times the hold's end on the server clock", async () => {
      // the server clock is 5 s ahead of the browser's: the hold's 10 s are over 5 s from now here
      const s = await bought({ offsetMs: 5_000, myPurchase: () => ok(hold({ status: 'EXPIRED' })) });
      await flush(4_999);
      expect(s.lookups()).toEqual([]);
      await flush(1);
      expect(s.lookups()).toEqual(['alice']);
      expect(s.result().purchase?.status).toBe('EXPIRED');
    });

    describe('back from the payment page', () => {
      const arriveWith = (query: string) => {
        localStorage.setItem('flashsale.userId', 'alice');
        window.history.replaceState({ path: '/sales/widget-drop', qty: '1' }, '', `/sales/widget-drop${query}`);
      };

      it('shows the outcome, drops it from the address, and reads the hold again until it shows paid', async () => {
        arriveWith('?payment=succeeded');
        let status: Purchase['status'] = 'HELD';
        const s = await setup({ sale: checkoutSale, myPurchase: () => ok(hold({ status, expiresAt: new Date(T0 + 600_000).toISOString() })) });
        expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'PAYMENT_SUCCEEDED', title: 'Payment received' } });
        expect(window.location.pathname + window.location.search).toBe('/sales/widget-drop');
        expect(window.history.state).toEqual({ path: '/sales/widget-drop', qty: '1' });
        expect(s.lookups()).toEqual(['alice']);
        expect(s.result().purchase?.status).toBe('HELD');

        await flush(HOLD_RECHECK_MS);
        expect(s.lookups()).toHaveLength(2);
        status = 'CONFIRMED';
        await flush(HOLD_RECHECK_MS);
        expect(s.lookups()).toHaveLength(3);
        expect(s.result().purchase?.status).toBe('CONFIRMED');
        await flush(60_000);
        expect(s.lookups()).toHaveLength(3);
      });

      it(`reads a hold that stays held ${HOLD_RECHECKS} times, then again once its time is over`, async () => {
        arriveWith('?payment=failed');
        const s = await setup({ sale: checkoutSale, myPurchase: () => ok(hold({ expiresAt: new Date(T0 + 60_000).toISOString() })) });
        expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'PAYMENT_FAILED' } });
        await flush(30 * HOLD_RECHECK_MS);
        expect(s.lookups()).toHaveLength(1 + HOLD_RECHECKS);
        await flush(60_000 - 30 * HOLD_RECHECK_MS);
        expect(s.lookups()).toHaveLength(2 + HOLD_RECHECKS);
      });

      it("shows a refusal with the shop's error code; a purchase that is no longer held is not read again", async () => {
        arriveWith('?payment=refused&code=HOLD_EXPIRED');
        const s = await setup({ sale: checkoutSale, myPurchase: () => ok(hold({ status: 'EXPIRED' })) });
        expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'HOLD_EXPIRED', title: 'Payment too late' } });
        expect(window.location.search).toBe('');
        await flush(30 * HOLD_RECHECK_MS);
        expect(s.lookups()).toEqual(['alice']);
      });

      it('shows nothing special on a plain visit', async () => {
        arriveWith('');
        const s = await setup({ sale: checkoutSale, myPurchase: () => ok(hold()) });
        expect(s.result().state).toEqual({ status: 'idle' });
        await flush(5 * HOLD_RECHECK_MS);
        expect(s.lookups()).toEqual(['alice']);
      });
    });

    describe('giving up the hold', () => {
      it("sends DELETE purchases/me as the shopper, once however often it is clicked, and shows the hold's end", async () => {
        const answer = deferred();
        const s = await bought({ giveUp: () => answer.promise });
        act(() => {
          s.result().giveUp();
          s.result().giveUp();
        });
        expect(s.result().givingUp).toBe(true);
        act(() => s.result().giveUp());
        await flush();
        expect(s.deletes()).toHaveLength(1);
        expect(s.deletes()[0]).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases/me', headers: { 'X-User-Id': 'alice' } });

        answer.resolve(ok(hold({ status: 'CANCELLED' })));
        await flush();
        expect(s.result().givingUp).toBe(false);
        expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'CANCELLED', title: 'Hold given up' } });
        expect(s.result().purchase?.status).toBe('CANCELLED');
        // over: nothing to read again at its expiry
        await flush(20_000);
        expect(s.lookups()).toEqual([]);
      });

      it('shows what the hold became meanwhile on PURCHASE_NOT_HELD', async () => {
        const s = await bought({ giveUp: () => fail(409, 'PURCHASE_NOT_HELD', { purchase: hold({ status: 'CONFIRMED' }) }) });
        act(() => s.result().giveUp());
        await flush();
        expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'PURCHASE_NOT_HELD' } });
        expect(s.result().purchase?.status).toBe('CONFIRMED');
      });

      it('shows no purchase on PURCHASE_NOT_FOUND', async () => {
        const s = await bought({ giveUp: () => fail(404, 'PURCHASE_NOT_FOUND') });
        act(() => s.result().giveUp());
        await flush();
        expect(s.result().purchase).toBeNull();
      });

      it('does nothing without a hold', async () => {
        const s = await setup({ buy: () => ok(purchaseBy('alice'), 201) });
        s.type('alice');
        s.buy();
        await flush();
        act(() => s.result().giveUp());
        await flush();
        expect(s.deletes()).toHaveLength(0);
      });

      it('oidc: with the access token; a 401 signs in again', async () => {
        const session = oidcSession(alice);
        const s = await setup({
          sale: checkoutSale,
          session,
          myPurchase: () => ok(hold({ userId: 'sub-alice', expiresAt: new Date(T0 + 600_000).toISOString() })),
          giveUp: () => fail(401, 'UNAUTHENTICATED'),
        });
        expect(s.result().purchase?.status).toBe('HELD');
        act(() => s.result().giveUp());
        await flush();
        expect(s.deletes()[0]?.headers.Authorization).toBe('Bearer token-alice');
        expect(session.signIn).toHaveBeenCalledWith({ path: '/sales/widget-drop', qty: '1' });
        expect(s.result().state).toMatchObject({ status: 'done', outcome: { code: 'UNAUTHENTICATED' } });
      });
    });
  });
});
