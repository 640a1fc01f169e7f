import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';

/** Where the identity provider sends the shopper back to (registered as the client's redirect URI). */
export const CALLBACK_PATH = '/auth/callback';

/** Where a sign-in comes back to: the page, and the quantity the shopper had chosen there. */
export interface ReturnPlace {
  path: string;
  qty?: string;
}

export const HOME: ReturnPlace = { path: '/' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * A place read back from the OIDC state or the history state: only a path of this site, and
 * never the callback itself (that would sign in again).
 */
export function readPlace(value: unknown): ReturnPlace | null {
  if (!isRecord(value)) return null;
  const { path, qty } = value;
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.startsWith(CALLBACK_PATH)) return null;
  return typeof qty === 'string' ? { path, qty } : { path };
}

/** The signed-in shopper, as the app needs them. */
export interface SignedInUser {
  /** The token's subject: whose purchase is shown. */
  sub: string;
  /** What the header shows; null when the provider gave no name. */
  name: string | null;
  accessToken: string;
}

export function signedInUser(user: User): SignedInUser {
  const { sub, preferred_username, name } = user.profile;
  return { sub, name: preferred_username ?? name ?? null, accessToken: user.access_token };
}

/** Authorization code + PKCE against the issuer, as the public client `clientId`. */
export function createUserManager(issuer: string, clientId: string): UserManager {
  // Tokens and the pending request's PKCE verifier in sessionStorage: per tab, gone when the tab
  // closes, never shared with other tabs (oidc-client-ts keeps the latter in localStorage by default).
  // Two prefixes: the stale-state sweep over the pending requests must not see the user.
  const store = window.sessionStorage;
  return new UserManager({
    authority: issuer,
    client_id: clientId,
    redirect_uri: new URL(CALLBACK_PATH, window.location.origin).href,
    response_type: 'code',
    scope: 'openid profile',
    userStore: new WebStorageStateStore({ store, prefix: 'oidc.' }),
    stateStore: new WebStorageStateStore({ store, prefix: 'oidc.pending.' }),
    // Renews shortly before the access token expires, with the refresh token (no iframe).
    automaticSilentRenew: true,
  });
}
