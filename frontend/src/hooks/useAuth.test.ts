import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, flush, installFetch, ok, type FakeReply, type FakeRoute } from '../test/fakes';
import { oidcUser, UserManager, WebStorageStateStore } from '../test/oidc';
import { configRetryDelayMs, useAuthLoader, type Auth, type OidcSession } from './useAuth';

vi.mock('oidc-client-ts', () => import('../test/oidc'));

const oidcConfig = { auth: { mode: 'oidc', issuer: 'http://127.0.0.1:16080/realms/flashsale', clientId: 'flashsale-spa' } };

async function setup(reply: FakeRoute = () => ok(oidcConfig)) {
  const { calls } = installFetch(reply);
  const hook = renderHook(() => useAuthLoader());
  await flush();
  const auth = () => hook.result.current;
  const oidc = (): OidcSession => {
    const current = auth();
    if (current.status !== 'ready' || current.session.mode !== 'oidc') throw new Error(`not oidc: ${JSON.stringify(current)}`);
    return current.session;
  };
  return { ...hook, calls, auth, oidc };
}

describe('useAuthLoader', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-02-15T10:00:00.000Z') });
    UserManager.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
    window.history.replaceState(null, '', '/');
  });

  it.each(['none', 'trusted-header'] as const)('%s mode: ready at once, no identity provider', async (mode) => {
    const s = await setup(() => ok({ auth: { mode } }));
    expect(s.auth()).toEqual({ status: 'ready', session: { mode } });
    expect(s.calls.map((c) => c.url)).toEqual(['/api/v1/config']);
    expect(UserManager.instances).toHaveLength(0);
  });

  it('tells where holds are paid when the shop has a payment page', async () => {
    const paying = await setup(() => ok({ auth: { mode: 'none' }, checkout: { paymentUrl: 'http://127.0.0.1:16090/pay' } }));
    expect(paying.auth()).toEqual({ status: 'ready', session: { mode: 'none' }, checkout: { paymentUrl: 'http://127.0.0.1:16090/pay' } });
    paying.unmount();

    const none = await setup(() => ok({ auth: { mode: 'none' }, checkout: null }));
    expect(none.auth()).toEqual({ status: 'ready', session: { mode: 'none' } });
    none.unmount();

    UserManager.stored = oidcUser({ name: 'alice', token: 't1' });
    const oidc = await setup(() => ok({ ...oidcConfig, checkout: { paymentUrl: 'https://pay.test/' } }));
    expect(oidc.auth()).toMatchObject({ status: 'ready', session: { mode: 'oidc', user: { name: 'alice' } }, checkout: { paymentUrl: 'https://pay.test/' } });
  });

  it('loading until the config answers', () => {
    installFetch(() => new Promise<FakeReply>(() => undefined));
    const { result } = renderHook(() => useAuthLoader());
    expect(result.current).toEqual({ status: 'loading' });
  });

  describe('oidc mode', () => {
    it('signs in with authorization code + PKCE at the issuer, tokens in sessionStorage, renewed silently', async () => {
      await setup();
      expect(UserManager.instances).toHaveLength(1);
      const { settings } = UserManager.latest();
      expect(settings).toMatchObject({
        authority: 'http://127.0.0.1:16080/realms/flashsale',
        client_id: 'flashsale-spa',
        redirect_uri: `${window.location.origin}/auth/callback`,
        response_type: 'code',
        scope: 'openid profile',
        automaticSilentRenew: true,
      });
      expect(settings.userStore).toBeInstanceOf(WebStorageStateStore);
      expect((settings.userStore as unknown as WebStorageStateStore).options.store).toBe(window.sessionStorage);
      expect((settings.stateStore as unknown as WebStorageStateStore).options).toEqual({ store: window.sessionStorage, prefix: 'oidc.pending.' });
    });

    it('starts signed out, or with the shopper this tab signed in before', async () => {
      const signedOut = await setup();
      expect(signedOut.oidc().user).toBeNull();
      signedOut.unmount();

      UserManager.stored = oidcUser({ name: 'alice', token: 't1' });
      const s = await setup();
      expect(s.oidc().user).toEqual({ sub: 'sub-alice', name: 'alice', accessToken: 't1' });
    });

    it('renews a token that ran out while the tab was away, with the refresh token', async () => {
      UserManager.stored = oidcUser({ token: 'stale', expired: true });
      UserManager.silent = oidcUser({ token: 'fresh' });
      const s = await setup();
      expect(UserManager.latest().signinSilent).toHaveBeenCalledTimes(1);
      expect(s.oidc().user?.accessToken).toBe('fresh');
    });

    it('shows a shopper whose token ran out and cannot be renewed as signed out, and forgets them', async () => {
      UserManager.stored = oidcUser({ token: 'stale', expired: true });
      const s = await setup();
      expect(s.oidc().user).toBeNull();
      expect(UserManager.latest().removeUser).toHaveBeenCalledTimes(1);
    });

    it('follows the shopper: a silent renew brings a new token, a sign-out none', async () => {
      UserManager.stored = oidcUser({ token: 't1' });
      const s = await setup();
      UserManager.latest().renew(oidcUser({ token: 't2' }));
      expect(s.oidc().user?.accessToken).toBe('t2');

      await act(() => s.oidc().signOut());
      expect(s.oidc().user).toBeNull();
    });

    it('signs in with the return place as the OIDC state', async () => {
      const s = await setup();
      await s.oidc().signIn({ path: '/sales/widget-drop', qty: '2' });
      expect(UserManager.latest().signinRedirect).toHaveBeenCalledWith({ state: { path: '/sales/widget-drop', qty: '2' } });
    });

    it('signs out at the identity provider, back to this page; forgets the session here if it cannot be reached', async () => {
      window.history.replaceState(null, '', '/sales/widget-drop');
      UserManager.stored = oidcUser();
      const s = await setup();
      const manager = UserManager.latest();
      await act(() => s.oidc().signOut());
      expect(manager.signoutRedirect).toHaveBeenCalledWith({ post_logout_redirect_uri: `${window.location.origin}/sales/widget-drop` });

      manager.signoutRedirect.mockRejectedValueOnce(new Error('no end session endpoint'));
      manager.removeUser.mockClear();
      await act(() => s.oidc().signOut());
      expect(manager.removeUser).toHaveBeenCalledTimes(1);
    });

    it('completes the sign-in once, however often asked, and answers where to go back to', async () => {
      UserManager.callback = oidcUser({ state: { path: '/sales/widget-drop', qty: '2' } });
      const s = await setup();
      const [first, second] = await act(() => Promise.all([s.oidc().completeSignIn(), s.oidc().completeSignIn()]));
      expect(first).toEqual({ ok: true, place: { path: '/sales/widget-drop', qty: '2' } });
      expect(second).toBe(first);
      expect(UserManager.latest().signinRedirectCallback).toHaveBeenCalledTimes(1);
      expect(s.oidc().user?.name).toBe('alice');
    });

    it('reports a failed sign-in with the place it started from', async () => {
      UserManager.callback = Object.assign(new Error('access_denied'), { state: { path: '/sales/widget-drop' } });
      const s = await setup();
      await expect(act(() => s.oidc().completeSignIn())).resolves.toEqual({ ok: false, place: { path: '/sales/widget-drop' }, message: 'access_denied' });
      expect(s.oidc().user).toBeNull();
    });

    it('goes home when the state names no page of this site', async () => {
      UserManager.callback = oidcUser({ state: { path: 'https://evil.example/' } });
      const s = await setup();
      await expect(act(() => s.oidc().completeSignIn())).resolves.toEqual({ ok: true, place: { path: '/' } });
    });

    it('stops renewing and listening when unmounted', async () => {
      const s = await setup();
      const manager = UserManager.latest();
      expect(manager.listeners()).toBe(2);
      s.unmount();
      expect(manager.stopSilentRenew).toHaveBeenCalled();
      expect(manager.listeners()).toBe(0);
    });
  });

  describe('when the config cannot be loaded', () => {
    it('tries again by itself, later and later, until it loads', async () => {
      let reply: FakeReply = fail(503, 'SERVICE_UNAVAILABLE');
      const s = await setup(() => reply);
      expect(s.auth()).toMatchObject({ status: 'unavailable', trying: false });
      expect(s.calls).toHaveLength(1);

      await flush(999);
      expect(s.calls).toHaveLength(1);
      await flush(1);
      expect(s.calls).toHaveLength(2);
      await flush(2_000);
      expect(s.calls).toHaveLength(3);
      await flush(3_999);
      expect(s.calls).toHaveLength(3);

      reply = ok({ auth: { mode: 'none' } });
      await flush(1);
      expect(s.calls).toHaveLength(4);
      expect(s.auth()).toEqual({ status: 'ready', session: { mode: 'none' } });
      await flush(60_000);
      expect(s.calls).toHaveLength(4);
    });

    it('tries at once on retry(), showing that it is trying', async () => {
      let answer!: (reply: FakeReply) => void;
      let first = true;
      const s = await setup(() => {
        if (first) {
          first = false;
          return 'network-error';
        }
        return new Promise<FakeReply>((resolve) => (answer = resolve));
      });
      const unavailable = s.auth() as Extract<Auth, { status: 'unavailable' }>;
      act(() => unavailable.retry());
      expect(s.auth()).toMatchObject({ status: 'unavailable', trying: true });
      expect(s.calls).toHaveLength(2);
      // the timer of the failed try is off: no second request meanwhile
      await flush(5_000);
      expect(s.calls).toHaveLength(2);

      answer(ok({ auth: { mode: 'trusted-header' } }));
      await flush();
      expect(s.auth()).toEqual({ status: 'ready', session: { mode: 'trusted-header' } });
    });

    it('counts an oidc config without issuer or client id as not loaded', async () => {
      const s = await setup(() => ok({ auth: { mode: 'oidc', issuer: 'http://idp' } }));
      expect(s.auth().status).toBe('unavailable');
      expect(UserManager.instances).toHaveLength(0);
    });

    it('waits 1 s, 2 s, 4 s … then every 30 s', () => {
      expect([1, 2, 3, 4, 5, 6, 7, 20].map(configRetryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    });
  });
});
