import { describe, expect, expectTypeOf, it } from 'vitest';
import { fail, installFetch, ok } from '../test/fakes';
import { eventsUrl, fetchConfig, fetchMyPurchase, fetchSale, fetchSales, parseRetryAfter, postPurchase, type ApiResult } from './api';
import type { AuthConfig, CheckoutConfig, Purchase, SaleView } from './types';

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(' 12 ')).toBe(12);
    const now = Date.parse('2026-02-15T10:00:00.000Z');
    expect(parseRetryAfter('Sun, 15 Feb 2026 10:00:04 GMT', now)).toBe(4);
  });

  it('ignores missing or garbage values', () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('api client', () => {
  it('unwraps the success envelope and bypasses the HTTP cache for sale views', async () => {
    const { fetchMock } = installFetch(() => ok({ id: 'a' }));
    await expect(fetchSale('a')).resolves.toEqual({ kind: 'ok', status: 200, data: { id: 'a' } });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/v1/sales/a');
    expect(fetchMock.mock.calls[0]?.[1]).toMatchObject({ cache: 'no-store' });
  });

  it('returns the error envelope with Retry-After', async () => {
    installFetch(() => fail(429, 'RATE_LIMITED', { retryAfter: 2 }, { 'Retry-After': '3' }));
    await expect(fetchSale('a')).resolves.toMatchObject({
      kind: 'error',
      status: 429,
      error: { code: 'RATE_LIMITED', retryAfter: 2 },
      retryAfterHeader: 3,
    });
  });

  it('reports a non-envelope answer as unexpected', async () => {
    installFetch(() => ({ status: 502, body: '<html>' }));
    await expect(fetchSale('a')).resolves.toMatchObject({ kind: 'error', status: 502, error: { code: 'UNEXPECTED_RESPONSE' } });
  });

  it('reports network failures', async () => {
    installFetch(() => 'network-error');
    await expect(fetchSale('a')).resolves.toEqual({ kind: 'network', message: 'Failed to fetch' });
  });

  it('sends the purchase with user, idempotency key and qty', async () => {
    const { calls } = installFetch(() => ok({ purchaseId: 'p1' }, 201));
    await postPurchase('widget-drop', { mode: 'none', userId: 'alice' }, 2, 'key-1');
    expect(calls).toEqual([
      {
        url: '/api/v1/sales/widget-drop/purchases',
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-User-Id': 'alice', 'Idempotency-Key': 'key-1' },
        body: '{"qty":2}',
      },
    ]);
  });

  it('asks for the own purchase with X-User-Id', async () => {
    const { calls } = installFetch(() => fail(404, 'NOT_FOUND'));
    await expect(fetchMyPurchase('widget-drop', { mode: 'none', userId: 'bob' })).resolves.toMatchObject({ kind: 'error', error: { code: 'NOT_FOUND' } });
    expect(calls[0]).toMatchObject({ url: '/api/v1/sales/widget-drop/purchases/me', headers: { 'X-User-Id': 'bob' } });
  });

  it('says who the shopper is with a bearer token in oidc mode, and not at all behind a gateway', async () => {
    const { calls } = installFetch(() => ok({ purchaseId: 'p1' }, 201));
    await postPurchase('widget-drop', { mode: 'oidc', accessToken: 'jwt-1' }, 1, 'key-1');
    await fetchMyPurchase('widget-drop', { mode: 'oidc', accessToken: 'jwt-1' });
    await postPurchase('widget-drop', { mode: 'trusted-header' }, 1, 'key-2');
    await fetchMyPurchase('widget-drop', { mode: 'trusted-header' });
    expect(calls.map((c) => c.headers)).toEqual([
      { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer jwt-1', 'Idempotency-Key': 'key-1' },
      { Accept: 'application/json', Authorization: 'Bearer jwt-1' },
      { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': 'key-2' },
      { Accept: 'application/json' },
    ]);
  });

  it('reads the client config, uncached', async () => {
    const auth = { mode: 'oidc', issuer: 'http://idp/realms/flashsale', clientId: 'flashsale-spa' };
    const { fetchMock } = installFetch(() => ok({ auth }));
    await expect(fetchConfig()).resolves.toEqual({ kind: 'ok', status: 200, data: { auth } });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/v1/config');
    expect(fetchMock.mock.calls[0]?.[1]).toMatchObject({ cache: 'no-store' });
  });

  it('escapes sale ids in URLs', () => {
    expect(eventsUrl('a/b')).toBe('/api/v1/sales/a%2Fb/events');
  });

  it('answers with the types of the generated contract', () => {
    // checked by tsc (npm run typecheck), not at run time
    expectTypeOf(fetchSales).returns.resolves.toEqualTypeOf<ApiResult<SaleView[]>>();
    expectTypeOf(fetchSale).returns.resolves.toEqualTypeOf<ApiResult<SaleView>>();
    expectTypeOf(fetchMyPurchase).returns.resolves.toEqualTypeOf<ApiResult<Purchase>>();
    expectTypeOf(postPurchase).returns.resolves.toEqualTypeOf<ApiResult<Purchase>>();
    expectTypeOf(fetchConfig).returns.resolves.toEqualTypeOf<ApiResult<{ auth: AuthConfig; checkout?: CheckoutConfig | null }>>();
  });
});
