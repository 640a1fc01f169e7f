import { act } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { vi } from 'vitest';
import { AuthContext, type Auth, type OidcSession, type Session } from '../hooks/useAuth';
import type { SignedInUser } from '../lib/auth';
import type { CheckoutConfig, SaleView } from '../lib/types';

/** Stand-in for the browser's EventSource that tests drive by hand. */
export class MockEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: MockEventSource[] = [];

  readyState = MockEventSource.CONNECTING;
  onopen: ((e: Event) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  private listeners = new Map<string, Array<(e: MessageEvent) => void>>();

  constructor(readonly url: string) {
    MockEventSource.instances.push(this);
  }

  static latest(): MockEventSource {
    const es = MockEventSource.instances.at(-1);
    if (!es) throw new Error('no EventSource was opened');
    return es;
  }

  addEventListener(type: string, listener: (e: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = MockEventSource.CLOSED;
  }

  open(): void {
    act(() => {
      this.readyState = MockEventSource.OPEN;
      this.onopen?.(new Event('open'));
    });
  }

  emit(type: string, data: unknown, id: string): void {
    act(() => {
      const event = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id });
      for (const listener of this.listeners.get(type) ?? []) listener(event);
    });
  }

  /** A dropped connection; `gaveUp` is the browser's "not a stream, no more retries". */
  fail(gaveUp = false): void {
    act(() => {
      this.readyState = gaveUp ? MockEventSource.CLOSED : MockEventSource.CONNECTING;
      this.onerror?.(new Event('error'));
    });
  }
}

/** Runs due timers and settles pending promises, under vi.useFakeTimers(). */
export async function flush(ms = 0): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

export function installEventSource(): void {
  MockEventSource.instances = [];
  vi.stubGlobal('EventSource', MockEventSource);
}

export type FakeReply = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';
export type FakeRoute = (url: string, init: RequestInit) => FakeReply | Promise<FakeReply>;

export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

/** Replaces fetch; `calls` records every request the app made. */
export function installFetch(route: FakeRoute) {
  const calls: FetchCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    calls.push({ url, method: init.method ?? 'GET', headers, body: typeof init.body === 'string' ? init.body : null });
    const reply = await route(url, init);
    if (reply === 'network-error') throw new TypeError('Failed to fetch');
    // Only what api.ts reads; a real Response reads its body through streams, whose timing
    // would tie the tests to the machine's load.
    const response: Pick<Response, 'ok' | 'status' | 'headers' | 'json'> = {
      ok: reply.status >= 200 && reply.status < 300,
      status: reply.status,
      headers: new Headers({ 'Content-Type': 'application/json', ...reply.headers }),
      json: async () => {
        if (reply.body === undefined) throw new SyntaxError('Unexpected end of JSON input');
        return reply.body;
      },
    };
    return response as Response;
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export const ok = (data: unknown, status = 200): FakeReply => ({ status, body: { success: true, data } });
export const fail = (status: number, code: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): FakeReply => ({
  status,
  body: { success: false, error: { code, message: `${code} message`, ...extra } },
  ...(headers ? { headers } : {}),
});

export function saleView(overrides: Partial<SaleView> = {}): SaleView {
  const now = Date.now();
  return {
    id: 'widget-drop',
    sku: 'WIDGET-001',
    productName: 'Limited Edition Widget',
    state: 'ACTIVE',
    endReason: null,
    initialStock: 100,
    stock: 87,
    sold: 13,
    held: 0,
    confirmed: 13,
    holdForSeconds: null,
    perUserLimit: 1,
    startTime: new Date(now - 60_000).toISOString(),
    endTime: new Date(now + 600_000).toISOString(),
    serverTime: new Date(now).toISOString(),
    ...overrides,
  };
}

/** Components tested without AuthProvider get this auth; none mode (the self-reported id) unless told. */
export function authWrapper(auth: Auth = { status: 'ready', session: { mode: 'none' } }) {
  return ({ children }: { children: ReactNode }) => createElement(AuthContext.Provider, { value: auth }, children);
}

/** Ready in `session`'s mode; with `checkout`, holds are paid there. */
export const ready = (session: Session, checkout?: CheckoutConfig): Auth => ({ status: 'ready', session, ...(checkout && { checkout }) });

export const alice: SignedInUser = { sub: 'sub-alice', name: 'alice', accessToken: 'token-alice' };

/** An oidc session whose sign-in, sign-out and callback the test watches. */
export function oidcSession(user: SignedInUser | null, overrides: Partial<OidcSession> = {}): OidcSession {
  return {
    mode: 'oidc',
    user,
    signIn: vi.fn(() => Promise.resolve()),
    signOut: vi.fn(() => Promise.resolve()),
    completeSignIn: vi.fn(() => Promise.resolve({ ok: true, place: { path: '/' } } as const)),
    ...overrides,
  };
}
