import type { ApiError, Purchase, SaleView } from './types';

export const API_BASE = '/api/v1';

export type ApiResult<T> =
  | { kind: 'ok'; status: number; data: T }
  | { kind: 'error'; status: number; error: ApiError; retryAfterHeader: number | null }
  | { kind: 'network'; message: string };

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

async function request<T>(path: string, init: RequestInit): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(API_BASE + path, { ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (e) {
    return { kind: 'network', message: e instanceof Error ? e.message : String(e) };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): reported below as an unexpected response.
  }
  if (response.ok && isRecord(body) && body.success === true) {
    return { kind: 'ok', status: response.status, data: body.data as T };
  }
  const error: ApiError =
    isRecord(body) && isRecord(body.error) && typeof body.error.code === 'string'
      ? (body.error as unknown as ApiError)
      : { code: 'UNEXPECTED_RESPONSE', message: `HTTP ${response.status}` };
  return { kind: 'error', status: response.status, error, retryAfterHeader: parseRetryAfter(response.headers.get('Retry-After')) };
}

const enc = encodeURIComponent;

export function fetchSales(): Promise<ApiResult<SaleView[]>> {
  return request('/sales', { cache: 'no-store' });
}

// no-store: a revalidated or cached view would carry an old serverTime and skew the clock offset.
export function fetchSale(saleId: string): Promise<ApiResult<SaleView>> {
  return request(`/sales/${enc(saleId)}`, { cache: 'no-store' });
}

export function fetchMyPurchase(saleId: string, userId: string): Promise<ApiResult<Purchase>> {
  return request(`/sales/${enc(saleId)}/purchases/me`, { cache: 'no-store', headers: { 'X-User-Id': userId } });
}

export function postPurchase(saleId: string, userId: string, qty: number, idempotencyKey: string): Promise<ApiResult<Purchase>> {
  return request(`/sales/${enc(saleId)}/purchases`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-User-Id': userId, 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify({ qty }),
  });
}

export function eventsUrl(saleId: string): string {
  return `${API_BASE}/sales/${enc(saleId)}/events`;
}
