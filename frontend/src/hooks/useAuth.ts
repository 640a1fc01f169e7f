import { createContext, use, useEffect, useMemo, useState } from 'react';
import type { User, UserManager } from 'oidc-client-ts';
import { fetchConfig } from '../lib/api';
import { createUserManager, HOME, readPlace, signedInUser, type ReturnPlace, type SignedInUser } from '../lib/auth';
import type { CheckoutConfig } from '../lib/types';

/** How a sign-in ended on the callback route, and where to go from there. */
export type SignInResult = { ok: true; place: ReturnPlace } | { ok: false; place: ReturnPlace; message: string };

export interface OidcSession {
  mode: 'oidc';
  /** null while signed out. */
  user: SignedInUser | null;
  /** Leaves for the identity provider, which sends the shopper back to `place`; rejects when it cannot be reached. */
  signIn: (place: ReturnPlace) => Promise<void>;
  /** Ends the session here and at the identity provider, which sends the shopper back to this page. */
  signOut: () => Promise<void>;
  /** On the callback route: trades the code for tokens, once however often it is called. */
  completeSignIn: () => Promise<SignInResult>;
}

/** How this shop identifies shoppers (GET /config): self-reported id, a gateway in front, or sign-in. */
export type Session = { mode: 'none' } | { mode: 'trusted-header' } | OidcSession;

export type Auth =
  | { status: 'loading' }
  // GET /config failed: tried again by itself, later and later; `retry` tries at once.
  | { status: 'unavailable'; trying: boolean; retry: () => void }
  // checkout: where holds are paid; absent when the shop has no payment page
  | { status: 'ready'; session: Session; checkout?: CheckoutConfig };

export const AuthContext = createContext<Auth>({ status: 'loading' });

export function useAuth(): Auth {
  return use(AuthContext);
}

/** Wait before the next try after `failures` failed ones: 1 s, 2 s, 4 s … at most 30 s. */
export function configRetryDelayMs(failures: number): number {
  return Math.min(30_000, 1_000 * 2 ** (failures - 1));
}

type OidcActions = Omit<OidcSession, 'mode' | 'user'>;

function oidcActions(manager: UserManager): OidcActions {
  // The code in the callback URL can be traded once only (StrictMode runs effects twice).
  let completion: Promise<SignInResult> | null = null;
  return {
    signIn: (place) => manager.signinRedirect({ state: place }),
    // signoutRedirect forgets the session here first; if the provider cannot be reached, that is all.
    signOut: () => manager.signoutRedirect({ post_logout_redirect_uri: window.location.href }).catch(() => manager.removeUser()),
    completeSignIn: () =>
      (completion ??= manager.signinRedirectCallback().then(
        (user): SignInResult => ({ ok: true, place: readPlace(user.state) ?? HOME }),
        (e: unknown): SignInResult => ({
          ok: false,
          // An error answer of the provider carries the state of the request too.
          place: readPlace(typeof e === 'object' && e !== null && 'state' in e ? e.state : null) ?? HOME,
          message: e instanceof Error ? e.message : String(e),
        }),
      )),
  };
}

type Loaded =
  | Exclude<Auth, { status: 'ready' }>
  | { status: 'ready'; session: Exclude<Session, OidcSession>; checkout?: CheckoutConfig }
  // The user is kept apart: it changes by itself (sign-in, silent renew, sign-out).
  | { status: 'ready'; oidc: OidcActions; checkout?: CheckoutConfig };

/**
 * Loads GET /config once (how shoppers are identified, where holds are paid), then (oidc mode)
 * the signed-in shopper of this tab, and follows them.
 */
export function useAuthLoader(): Auth {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  const [user, setUser] = useState<SignedInUser | null>(null);

  useEffect(() => {
    let cancelled = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let stop = () => {};

    const attempt = async (failures: number): Promise<void> => {
      const result = await fetchConfig();
      if (cancelled) return;
      const config = result.kind === 'ok' ? result.data.auth : null;
      const checkout = result.kind === 'ok' && result.data.checkout ? { checkout: result.data.checkout } : {};
      if (config?.mode === 'none' || config?.mode === 'trusted-header') {
        setLoaded({ status: 'ready', session: { mode: config.mode }, ...checkout });
        return;
      }
      // Only a full oidc config is usable: without issuer or client id nobody could buy.
      if (config?.mode !== 'oidc' || !config.issuer || !config.clientId) {
        const retry = () => {
          clearTimeout(retryTimer);
          setLoaded((s) => (s.status === 'unavailable' ? { ...s, trying: true } : s));
          void attempt(failures + 1);
        };
        setLoaded({ status: 'unavailable', trying: false, retry });
        retryTimer = setTimeout(retry, configRetryDelayMs(failures + 1));
        return;
      }
      const manager = createUserManager(config.issuer, config.clientId);
      const offLoaded = manager.events.addUserLoaded((loadedUser: User) => setUser(signedInUser(loadedUser)));
      const offUnloaded = manager.events.addUserUnloaded(() => setUser(null));
      stop = () => {
        offLoaded();
        offUnloaded();
        manager.stopSilentRenew();
      };
      // Unreadable storage is the same as nobody signed in.
      let stored = await manager.getUser().catch(() => null);
      // A tab come back after its access token ran out: the automatic renew schedules nothing for
      // a token already expired, so renew now with the refresh token; failing that, the shopper is
      // shown signed out rather than signed in with a token every purchase would be refused.
      if (stored?.expired) {
        stored = await manager.signinSilent().catch(async () => {
          await manager.removeUser().catch(() => undefined);
          return null;
        });
      }
      if (cancelled) return;
      setUser(stored && signedInUser(stored));
      setLoaded({ status: 'ready', oidc: oidcActions(manager), ...checkout });
    };

    void attempt(0);
    return () => {
      cancelled = true;
      clearTimeout(retryTimer);
      stop();
    };
  }, []);

  return useMemo((): Auth => {
    if (loaded.status !== 'ready' || !('oidc' in loaded)) return loaded;
    const { oidc, ...rest } = loaded;
    return { ...rest, session: { mode: 'oidc', user, ...oidc } };
  }, [loaded, user]);
}
