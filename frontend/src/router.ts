import { useSyncExternalStore } from 'react';

// A two-route app does not need a router library: history API plus one custom event.
const NAVIGATE_EVENT = 'flashsale:navigate';

export type Route = { name: 'list' } | { name: 'sale'; saleId: string } | { name: 'not-found' };

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'list' };
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

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

export function saleHref(saleId: string): string {
  return `/sales/${encodeURIComponent(saleId)}`;
}
