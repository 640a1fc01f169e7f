import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import type { Purchase } from './lib/types';
import { matchRoute } from './router';
import { fail, installEventSource, installFetch, ok, saleView, type FakeReply, type FetchCall } from './test/fakes';
import { oidcUser, UserManager } from './test/oidc';

vi.mock('oidc-client-ts', () => import('./test/oidc'));

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'list' }],
    ['/sales/widget-drop', { name: 'sale', saleId: 'widget-drop' }],
    ['/sales/widget-drop/', { name: 'sale', saleId: 'widget-drop' }],
    ['/sales/a%20b', { name: 'sale', saleId: 'a b' }],
    ['/sales/%E0%A4%A', { name: 'not-found' }],
    ['/sales', { name: 'not-found' }],
    ['/auth/callback', { name: 'sign-in-callback' }],
    ['/elsewhere', { name: 'not-found' }],
  ])('%s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });
});

const oidcConfig = ok({ auth: { mode: 'oidc', issuer: 'http://127.0.0.1:16080/realms/flashsale', clientId: 'flashsale-spa' } });
const purchase: Purchase = {
  purchaseId: 'widget-drop-000042',
  saleId: 'widget-drop',
  userId: 'sub-alice',
  qty: 2,
  purchasedAt: '2026-02-15T10:00:01.234Z',
  status: 'CONFIRMED',
  expiresAt: null,
  persisted: true,
};

/** The shop behind fetch: GET /config answers `config`, purchases answer `buy` and `myPurchase`. */
let config: () => FakeReply;
let buy: () => FakeReply;
let myPurchase: () => FakeReply;
let calls: FetchCall[];

beforeEach(() => {
  window.history.replaceState(null, '', '/');
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
  installEventSource();
  UserManager.reset();
  config = () => ok({ auth: { mode: 'none' } });
  buy = () => ok(purchase, 201);
  myPurchase = () => fail(404, 'PURCHASE_NOT_FOUND');
  ({ calls } = installFetch((url) => {
    if (url === '/api/v1/config') return config();
    if (url === '/api/v1/sales') return ok([saleView()]);
    if (url === '/api/v1/sales/widget-drop') return ok(saleView({ perUserLimit: 3 }));
    if (url === '/api/v1/sales/widget-drop/purchases') return buy();
    if (url === '/api/v1/sales/widget-drop/purchases/me') return myPurchase();
    return fail(404, 'NOT_FOUND');
  }));
});

const header = () => within(document.querySelector<HTMLElement>('.site-header')!);
const purchaseCalls = () => calls.filter((c) => c.url.includes('/purchases'));

describe('App', () => {
  it('navigates from the list to a sale page and back without reloading, keyboard only', async () => {
    const user = userEvent.setup();
    render(<App />);
    const link = await screen.findByRole('link', { name: 'Limited Edition Widget' });
    link.focus();
    await user.keyboard('{Enter}');
    expect(window.location.pathname).toBe('/sales/widget-drop');
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
    expect(document.title).toBe('Limited Edition Widget · Flashsale');

    await user.click(screen.getByRole('link', { name: '← All sales' }));
    expect(window.location.pathname).toBe('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Flash sales' })).toBeInTheDocument();

    window.history.back();
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
  });

  it('opens a sale page directly (reload on a deep link)', async () => {
    window.history.replaceState(null, '', '/sales/widget-drop');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
  });

  it('shows a not-found page for unknown paths', () => {
    window.history.replaceState(null, '', '/nope');
    render(<App />);
    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(document.title).toBe('Page not found · Flashsale');
  });
});

describe('App in none mode (tests and benchmarks)', () => {
  it('asks for the self-reported id, marked as a test mode, and offers no sign-in', async () => {
    window.history.replaceState(null, '', '/sales/widget-drop');
    render(<App />);
    expect(await screen.findByLabelText('Your user id')).toHaveAccessibleDescription('Test mode: self-reported shopper id, no sign-in.');
    expect(header().queryByRole('button')).not.toBeInTheDocument();
  });
});

describe('App behind an authenticating gateway (trusted-header)', () => {
  it('asks for nothing and sends nothing about the shopper', async () => {
    config = () => ok({ auth: { mode: 'trusted-header' } });
    window.history.replaceState(null, '', '/sales/widget-drop');
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Buy now' }));
    expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
    expect(screen.queryByLabelText('Your user id')).not.toBeInTheDocument();
    expect(header().queryByRole('button')).not.toBeInTheDocument();
    expect(purchaseCalls().length).toBeGreaterThan(0);
    for (const call of purchaseCalls()) {
      expect(call.headers).not.toHaveProperty('X-User-Id');
      expect(call.headers).not.toHaveProperty('Authorization');
    }
  });
});

describe('App with sign-in (oidc)', () => {
  beforeEach(() => {
    config = () => oidcConfig;
    window.history.replaceState(null, '', '/sales/widget-drop');
  });

  it('signed out: the header and the sale page offer to sign in, and come back to the page', async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await header().findByRole('button', { name: 'Sign in' }));
    const manager = UserManager.latest();
    expect(manager.signinRedirect).toHaveBeenLastCalledWith({ state: { path: '/sales/widget-drop' } });

    await user.type(screen.getByLabelText('Quantity (at most 3)'), '{Backspace}2');
    await user.click(screen.getByRole('button', { name: 'Sign in to buy' }));
    expect(manager.signinRedirect).toHaveBeenLastCalledWith({ state: { path: '/sales/widget-drop', qty: '2' } });
    expect(screen.queryByLabelText('Your user id')).not.toBeInTheDocument();
    expect(purchaseCalls()).toHaveLength(0);
  });

  it('says so in the header when the identity provider cannot be reached', async () => {
    const user = userEvent.setup();
    render(<App />);
    const signIn = await header().findByRole('button', { name: 'Sign in' });
    UserManager.latest().signinRedirect.mockRejectedValueOnce(new Error('metadata: 503'));
    await user.click(signIn);
    expect(await header().findByRole('alert')).toHaveTextContent('Sign-in is unavailable right now. Try again in a moment.');
  });

  it('signed in: shows the shopper, buys with the bearer token, and signs out', async () => {
    UserManager.stored = oidcUser({ name: 'alice', token: 'token-alice' });
    const user = userEvent.setup();
    render(<App />);
    expect(await header().findByText('alice')).toBeInTheDocument();
    expect(header().getByText(/Signed in as/)).toHaveTextContent('Signed in as alice');

    await user.click(await screen.findByRole('button', { name: 'Buy now' }));
    expect(await screen.findByText('Purchase confirmed')).toBeInTheDocument();
    const post = purchaseCalls().find((c) => c.method === 'POST');
    expect(post?.headers.Authorization).toBe('Bearer token-alice');
    expect(post?.headers).not.toHaveProperty('X-User-Id');

    await user.click(header().getByRole('button', { name: 'Sign out' }));
    expect(UserManager.latest().signoutRedirect).toHaveBeenCalledWith({ post_logout_redirect_uri: `${window.location.origin}/sales/widget-drop` });
    expect(await header().findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in to buy' })).toBeInTheDocument();
    expect(screen.queryByTestId('my-purchase')).not.toBeInTheDocument();
  });

  it('a 401 while buying leads through sign-in back to the same sale, quantity kept, purchase shown', async () => {
    UserManager.stored = oidcUser({ token: 'expired' });
    buy = () => fail(401, 'UNAUTHENTICATED', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    const user = userEvent.setup();
    const first = render(<App />);
    await user.type(await screen.findByLabelText('Quantity (at most 3)'), '{Backspace}2');
    await user.click(screen.getByRole('button', { name: 'Buy now' }));
    expect(await screen.findByText('Your session has expired. Taking you to sign in…')).toBeInTheDocument();
    const state = { path: '/sales/widget-drop', qty: '2' };
    expect(UserManager.latest().signinRedirect).toHaveBeenCalledWith({ state });
    first.unmount();

    // The identity provider sends the shopper back to the callback route.
    UserManager.stored = null;
    UserManager.callback = oidcUser({ token: 'fresh', state });
    window.history.replaceState(null, '', '/auth/callback?code=abc&state=xyz');
    buy = () => ok(purchase, 201);
    myPurchase = () => ok(purchase);
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/sales/widget-drop');
    expect(window.location.search).toBe('');
    expect(screen.getByLabelText('Quantity (at most 3)')).toHaveValue(2);
    expect(header().getByText('alice')).toBeInTheDocument();
    expect(await screen.findByTestId('my-purchase')).toHaveTextContent('widget-drop-000042');
    const lookup = purchaseCalls().at(-1);
    expect(lookup).toMatchObject({ method: 'GET', headers: { Authorization: 'Bearer fresh' } });

    await user.click(screen.getByRole('button', { name: 'Buy now' }));
    await waitFor(() => expect(purchaseCalls().filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(purchaseCalls().filter((c) => c.method === 'POST')[1]).toMatchObject({ body: '{"qty":2}', headers: { Authorization: 'Bearer fresh' } });
  });

  it('a sign-in that did not complete says so, with the way back', async () => {
    UserManager.callback = Object.assign(new Error('access_denied'), { state: { path: '/sales/widget-drop' } });
    window.history.replaceState(null, '', '/auth/callback?error=access_denied&state=xyz');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign-in did not complete' })).toBeInTheDocument();
    expect(screen.getByText('You are not signed in (access_denied).')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to where you were' })).toHaveAttribute('href', '/sales/widget-drop');
    expect(header().getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  });
});

describe('App when the config cannot be loaded', () => {
  it('still shows the sale, says why buying waits, and recovers by itself', async () => {
    let down = true;
    config = () => (down ? fail(503, 'SERVICE_UNAVAILABLE') : ok({ auth: { mode: 'none' } }));
    window.history.replaceState(null, '', '/sales/widget-drop');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
    expect(await screen.findByRole('alert')).toHaveTextContent("The shop's sign-in settings could not be loaded. You can buy as soon as they are: we keep trying.");
    down = false;
    // the first retry is 1 s later
    expect(await screen.findByLabelText('Your user id')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('on the callback route too', async () => {
    config = () => 'network-error';
    window.history.replaceState(null, '', '/auth/callback?code=abc&state=xyz');
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Signing in goes on as soon as they are');
    expect(UserManager.instances).toHaveLength(0);
  });
});
