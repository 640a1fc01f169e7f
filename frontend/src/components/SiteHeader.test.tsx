import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { alice, authWrapper, oidcSession, ready } from '../test/fakes';
import { SiteHeader } from './SiteHeader';

describe('SiteHeader', () => {
  afterEach(() => {
    window.history.replaceState(null, '', '/');
  });

  it.each([{ status: 'loading' } as const, ready({ mode: 'none' }), ready({ mode: 'trusted-header' })])('offers no sign-in: %j', (auth) => {
    render(<SiteHeader />, { wrapper: authWrapper(auth) });
    expect(screen.getByRole('link', { name: 'Flashsale' })).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('signs in and comes back to this page, query included', async () => {
    window.history.replaceState(null, '', '/?tab=live');
    const session = oidcSession(null);
    render(<SiteHeader />, { wrapper: authWrapper(ready(session)) });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(session.signIn).toHaveBeenCalledWith({ path: '/?tab=live' });
  });

  it('shows who is signed in, and signs out', async () => {
    const session = oidcSession(alice);
    render(<SiteHeader />, { wrapper: authWrapper(ready(session)) });
    expect(screen.getByText(/Signed in as/)).toHaveTextContent('Signed in as alice');
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(session.signOut).toHaveBeenCalledTimes(1);
  });

  it('without a name from the identity provider, just says signed in', () => {
    render(<SiteHeader />, { wrapper: authWrapper(ready(oidcSession({ ...alice, name: null }))) });
    expect(screen.getByText('Signed in')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });
});
