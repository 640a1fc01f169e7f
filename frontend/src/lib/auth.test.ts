import { describe, expect, it } from 'vitest';
import type { User } from 'oidc-client-ts';
import { readPlace, signedInUser } from './auth';

describe('readPlace', () => {
  it('reads a path of this site, with the quantity if there is one', () => {
    expect(readPlace({ path: '/sales/widget-drop', qty: '2' })).toEqual({ path: '/sales/widget-drop', qty: '2' });
    expect(readPlace({ path: '/?tab=live', qty: 2 })).toEqual({ path: '/?tab=live' });
  });

  it.each([null, 'x', {}, { path: 42 }, { path: 'sales/x' }, { path: '//evil.example/' }, { path: 'https://evil.example/' }, { path: '/auth/callback?code=1' }])(
    'refuses %j',
    (value) => {
      expect(readPlace(value)).toBeNull();
    },
  );
});

describe('signedInUser', () => {
  const user = (profile: Record<string, string>) => ({ profile: { sub: 's-1', ...profile }, access_token: 'jwt' }) as unknown as User;

  it('names the shopper by preferred_username, else name, else not at all', () => {
    expect(signedInUser(user({ preferred_username: 'alice', name: 'Alice A.' }))).toEqual({ sub: 's-1', name: 'alice', accessToken: 'jwt' });
    expect(signedInUser(user({ name: 'Alice A.' })).name).toBe('Alice A.');
    expect(signedInUser(user({})).name).toBeNull();
  });
});
