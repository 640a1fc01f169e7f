import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fail, installFetch, ok, saleView } from '../test/fakes';
import { SaleListPage } from './SaleListPage';

describe('SaleListPage', () => {
  it('groups sales into live, upcoming and ended, each linking to its page', async () => {
    const now = Date.now();
    installFetch(() =>
      ok([
        saleView({ id: 'old', productName: 'Old Thing', state: 'ENDED', endReason: 'SOLD_OUT', stock: 0, sold: 100 }),
        saleView({ id: 'live', productName: 'Live Widget' }),
        saleView({ id: 'paused', productName: 'Paused Gizmo', state: 'PAUSED' }),
        saleView({
          id: 'soon',
          productName: 'Soon Gadget',
          state: 'UPCOMING',
          startTime: new Date(now + 125_000).toISOString(),
          endTime: new Date(now + 600_000).toISOString(),
        }),
      ]),
    );
    render(<SaleListPage />);

    const live = await screen.findByRole('region', { name: 'Live now' });
    expect(within(live).getByRole('link', { name: 'Live Widget' })).toHaveAttribute('href', '/sales/live');
    expect(within(live).getByRole('link', { name: 'Paused Gizmo' })).toBeInTheDocument();

    const upcoming = screen.getByRole('region', { name: 'Upcoming' });
    expect(within(upcoming).getByRole('link', { name: 'Soon Gadget' })).toHaveAttribute('href', '/sales/soon');
    expect(within(upcoming).getByTestId('countdown')).toHaveTextContent(/Starts in\s*02:0[45]/);

    const ended = screen.getByRole('region', { name: 'Ended' });
    expect(within(ended).getByText('Sold out')).toBeInTheDocument();
    expect(within(ended).getByTestId('stock-text')).toHaveTextContent('0 of 100 left');
  });

  it('says when a group is empty', async () => {
    installFetch(() => ok([]));
    render(<SaleListPage />);
    expect(await screen.findByText('No sale is live right now.')).toBeInTheDocument();
    expect(screen.getByText('Nothing scheduled yet.')).toBeInTheDocument();
  });

  it('reports a failed load', async () => {
    installFetch(() => fail(503, 'SERVICE_UNAVAILABLE'));
    render(<SaleListPage />);
    expect(await screen.findByRole('alert')).toHaveTextContent('The sales could not be loaded. Retrying…');
  });
});
