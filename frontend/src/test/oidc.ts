// Stand-in for the module oidc-client-ts: `vi.mock('oidc-client-ts', () => import('…/test/oidc'))`.
// No identity provider, no redirect: it records what the app asks and answers what the test says.
import { act } from '@testing-library/react';
import { vi } from 'vitest';
import type { SigninRedirectArgs, SignoutRedirectArgs, User, UserManagerSettings } from 'oidc-client-ts';

type Listener<T extends unknown[]> = (...args: T) => void;

export class WebStorageStateStore {
  constructor(readonly options: { store: Storage; prefix?: string }) {}
}

export class UserManager {
  static instances: UserManager[] = [];
  /** What getUser() finds in storage. */
  static stored: User | null = null;
  /** What signinRedirectCallback() gives, or throws. */
  static callback: User | Error = new Error('no sign-in under way');
  /** What signinSilent() (a renew with the refresh token) gives, or throws. */
  static silent: User | Error = new Error('no refresh token');

  private readonly loaded = new Set<Listener<[User]>>();
  private readonly unloaded = new Set<Listener<[]>>();

  readonly events = {
    addUserLoaded: (cb: Listener<[User]>) => {
      this.loaded.add(cb);
      return () => void this.loaded.delete(cb);
    },
    addUserUnloaded: (cb: Listener<[]>) => {
      this.unloaded.add(cb);
      return () => void this.unloaded.delete(cb);
    },
  };

  readonly getUser = vi.fn(() => Promise.resolve(UserManager.stored));
  readonly signinRedirect = vi.fn<(args?: SigninRedirectArgs) => Promise<void>>(() => Promise.resolve());
  readonly signinRedirectCallback = vi.fn(() => {
    const result = UserManager.callback;
    if (result instanceof Error) return Promise.reject(result);
    this.load(result);
    return Promise.resolve(result);
  });
  readonly signinSilent = vi.fn(() => {
    const result = UserManager.silent;
    if (result instanceof Error) return Promise.reject(result);
    this.load(result);
    return Promise.resolve(result);
  });
  readonly removeUser = vi.fn(() => {
    for (const cb of this.unloaded) cb();
    return Promise.resolve();
  });
  // Like the real one: the session here is forgotten before the provider is asked.
  readonly signoutRedirect = vi.fn<(args?: SignoutRedirectArgs) => Promise<void>>(() => this.removeUser());
  readonly stopSilentRenew = vi.fn();

  constructor(readonly settings: UserManagerSettings) {
    UserManager.instances.push(this);
  }

  static reset(): void {
    UserManager.instances = [];
    UserManager.stored = null;
    UserManager.callback = new Error('no sign-in under way');
    UserManager.silent = new Error('no refresh token');
  }

  static latest(): UserManager {
    const manager = UserManager.instances.at(-1);
    if (!manager) throw new Error('no UserManager was created');
    return manager;
  }

  listeners(): number {
    return this.loaded.size + this.unloaded.size;
  }

  /** A user stored: after a sign-in, or a silent renew with a fresh access token. */
  load(user: User): void {
    for (const cb of this.loaded) cb(user);
  }

  /** Same, from outside React's flow (a renew timer). */
  renew(user: User): void {
    act(() => this.load(user));
  }
}

export function oidcUser({
  sub = 'sub-alice',
  name = 'alice',
  token = 'token-alice',
  state,
  expired = false,
}: { sub?: string; name?: string; token?: string; state?: unknown; expired?: boolean } = {}): User {
  return { profile: { sub, preferred_username: name }, access_token: token, state, expired } as unknown as User;
}
