import type { operations, paths } from './api-types';
import type { ApiError } from './types';

export const API_BASE = '/api/v1';

// Request and answer shapes, taken from the generated contract so that a change to the
// OpenAPI document that the client does not follow fails the type check.
type Responses<Op extends keyof operations> = operations[Op]['responses'];
/** `data` of the success envelope of an operation's answer with that status. */
type SuccessData<Op extends keyof operations, Status extends keyof Responses<Op>> =
  Responses<Op>[Status] extends { content: { 'application/json': { success: true; data: infer Data } } } ? Data : never;
type HeaderParams<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['header']>;
type JsonBody<Op extends keyof operations> = NonNullable<operations[Op]['requestBody']> extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : never;
/** A path of the contract below API_BASE, e.g. `/sales/{saleId}`. */
type ApiPath = keyof paths extends infer P ? (P extends `${typeof API_BASE}${infer Rest}` ? Rest : never) : never;

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

/** The path of a sale's resource, from a path template of the contract. */
function salePath(template: Extract<ApiPath, `${string}{saleId}${string}`>, saleId: string): string {
  return template.replace('{saleId}', encodeURIComponent(saleId));
}

export function fetchSales(): Promise<ApiResult<SuccessData<'listSales', 200>>> {
  return request('/sales' satisfies ApiPath, { cache: 'no-store' });
}

// no-store: a revalidated or cached view would carry an old serverTime and skew the clock offset.
export function fetchSale(saleId: string): Promise<ApiResult<SuccessData<'getSale', 200>>> {
  return request(salePath('/sales/{saleId}', saleId), { cache: 'no-store' });
}

/** How a request says who the shopper is, per auth mode (contract, "Sign-in (v1.1)"). */
export type Shopper =
  | { mode: 'oidc'; accessToken: string }
  // An authenticating gateway in front sets X-User-Id itself.
  | { mode: 'trusted-header' }
  // Self-reported: tests and benchmarks only.
  | { mode: 'none'; userId: string };

function shopperHeaders(shopper: Shopper): Record<string, string> {
  switch (shopper.mode) {
    case 'oidc':
      return { Authorization: `Bearer ${shopper.accessToken}` };
    case 'trusted-header':
      return {};
    case 'none':
      return { 'X-User-Id': shopper.userId } satisfies HeaderParams<'purchase'> & HeaderParams<'myPurchase'> & HeaderParams<'cancelHold'>;
  }
}

export function fetchConfig(): Promise<ApiResult<SuccessData<'getConfig', 200>>> {
  return request('/config' satisfies ApiPath, { cache: 'no-store' });
}

export function fetchMyPurchase(saleId: string, shopper: Shopper): Promise<ApiResult<SuccessData<'myPurchase', 200>>> {
  return request(salePath('/sales/{saleId}/purchases/me', saleId), { cache: 'no-store', headers: shopperHeaders(shopper) });
}

/** Checkout: gives up the shopper's hold, whose units go back on sale. */
export function cancelHold(saleId: string, shopper: Shopper): Promise<ApiResult<SuccessData<'cancelHold', 200>>> {
  return request(salePath('/sales/{saleId}/purchases/me', saleId), { method: 'DELETE', headers: shopperHeaders(shopper) });
}

export function postPurchase(
  saleId: string,
  shopper: Shopper,
  qty: number,
  idempotencyKey: string,
): Promise<ApiResult<SuccessData<'purchase', 201>>> {
  const headers = { 'Idempotency-Key': idempotencyKey } satisfies HeaderParams<'purchase'>;
  const body: JsonBody<'purchase'> = { qty };
  return request(salePath('/sales/{saleId}/purchases', saleId), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...shopperHeaders(shopper), ...headers },
    body: JSON.stringify(body),
  });
}

export function eventsUrl(saleId: string): string {
  return API_BASE + salePath('/sales/{saleId}/events', saleId);
}
