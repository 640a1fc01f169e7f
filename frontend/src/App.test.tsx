import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { matchRoute } from './router';
import { fail, installEventSource, installFetch, ok, saleView } from './test/fakes';

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'list' }],
    ['/sales/widget-drop', { name: 'sale', saleId: 'widget-drop' }],
    ['/sales/widget-drop/', { name: 'sale', saleId: 'widget-drop' }],
    ['/sales/a%20b', { name: 'sale', saleId: 'a b' }],
    ['/sales/%E0%A4%A', { name: 'not-found' }],
    ['/sales', { name: 'not-found' }],
    ['/elsewhere', { name: 'not-found' }],
  ])('%s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });
});

describe('App', () => {
  beforeEach(() => {
    window.history.replaceState(null, '', '/');
    vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
    installEventSource();
    installFetch((url) => {
      if (url === '/api/v1/sales') return ok([saleView()]);
      if (url === '/api/v1/sales/widget-drop') return ok(saleView());
      return fail(404, 'NOT_FOUND');
    });
  });

  it('navigates from the list to a sale page and back without reloading, keyboard only', async () => {
    const user = userEvent.setup();
    render(<App />);
    const link = await screen.findByRole('link', { name: 'Limited Edition Widget' });
    link.focus();
    await user.keyboard('{Enter}');
    expect(window.location.pathname).toBe('/sales/widget-drop');
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
    expect(document.title).toBe('Limited Edition Widget · Flashsale');

    await user.click(screen.getByRole('link', { name: '← All sales' }));
    expect(window.location.pathname).toBe('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'Flash sales' })).toBeInTheDocument();

    window.history.back();
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
  });

  it('opens a sale page directly (reload on a deep link)', async () => {
    window.history.replaceState(null, '', '/sales/widget-drop');
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Limited Edition Widget' })).toBeInTheDocument();
  });

  it('shows a not-found page for unknown paths', () => {
    window.history.replaceState(null, '', '/nope');
    render(<App />);
    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(document.title).toBe('Page not found · Flashsale');
  });
});
