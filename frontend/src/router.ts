import { useSyncExternalStore } from 'react';
import { CALLBACK_PATH } from './lib/auth';

// A few routes do not need a router library: history API plus one custom event.
const NAVIGATE_EVENT = 'flashsale:navigate';

export type Route = { name: 'list' } | { name: 'sale'; saleId: string } | { name: 'sign-in-callback' } | { name: 'not-found' };

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'list' };
  if (pathname === CALLBACK_PATH) return { name: 'sign-in-callback' };
  const sale = /^\/sales\/([^/]+)\/?$/.exec(pathname);
  if (sale) {
    try {
      return { name: 'sale', saleId: decodeURIComponent(sale[1]!) };
    } catch {
      return { name: 'not-found' };
    }
  }
  return { name: 'not-found' };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/**
 * `replace`: the page left behind gets no place in the history (a used sign-in callback);
 * `state`: handed to the page opened, as history.state (it survives a reload).
 */
export function navigate(to: string, { replace = false, state = null }: { replace?: boolean; state?: unknown } = {}): void {
  if (replace) window.history.replaceState(state, '', to);
  else window.history.pushState(state, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

export function saleHref(saleId: string): string {
  return `/sales/${encodeURIComponent(saleId)}`;
}
