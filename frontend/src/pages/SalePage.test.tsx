import { render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authWrapper, fail, flush, installEventSource, installFetch, MockEventSource, ok, saleView, type FakeRoute } from '../test/fakes';
import { SalePage } from './SalePage';

// Fully fake timers (no real time passes): countdowns and polls are exact, whatever the load.
const T0 = Date.parse('2026-02-15T10:00:00.000Z');
const saleUrl = '/api/v1/sales/widget-drop';

async function setup(route: FakeRoute = () => ok(saleView())) {
  installEventSource();
  const { calls } = installFetch((url, init) => (url.endsWith('/purchases/me') ? fail(404, 'NOT_FOUND') : route(url, init)));
  render(<SalePage saleId="widget-drop" />, { wrapper: authWrapper() });
  await flush();
  return { calls, saleGets: () => calls.filter((c) => c.url === saleUrl).length };
}

describe('SalePage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('paints the REST view, then follows the stream', async () => {
    await setup();
    expect(screen.getByRole('heading', { name: 'Limited Edition Widget' })).toBeInTheDocument();
    expect(screen.getByText('SKU WIDGET-001')).toBeInTheDocument();
    expect(screen.getByText('Active')).toHaveAttribute('data-state', 'ACTIVE');
    expect(screen.getByTestId('stock-text')).toHaveTextContent('87 of 100 left');
    expect(screen.getByTestId('stock-text')).toHaveAttribute('aria-live', 'polite');
    expect(screen.getByRole('progressbar', { name: 'Stock remaining' })).toHaveAttribute('aria-valuenow', '87');
    expect(screen.getByTestId('countdown')).toHaveTextContent('Ends in 10:00');
    expect(screen.getByText('Connecting')).toHaveAttribute('data-stream', 'connecting');

    const es = MockEventSource.latest();
    expect(es.url).toBe('/api/v1/sales/widget-drop/events');
    es.open();
    expect(screen.getByText('Live')).toHaveAttribute('data-stream', 'live');

    es.emit('initial', saleView({ stock: 80, sold: 20 }), '5');
    expect(screen.getByTestId('stock-text')).toHaveTextContent('80 of 100 left');
    es.emit('stock-update', { id: 'widget-drop', stock: 79, sold: 21 }, '6');
    expect(screen.getByTestId('stock-text')).toHaveTextContent('79 of 100 left');
    es.emit('stock-update', { id: 'widget-drop', stock: 90, sold: 10 }, '4');
    expect(screen.getByTestId('stock-text')).toHaveTextContent('79 of 100 left');

    // Ticks land just after each second boundary.
    await flush(3_010);
    expect(screen.getByTestId('countdown')).toHaveTextContent('Ends in 09:57');
  });

  it('with checkout: shows the units reserved in checkout, live from the stream', async () => {
    await setup(() => ok(saleView({ holdForSeconds: 600, stock: 80, sold: 20, held: 12, confirmed: 8 })));
    expect(screen.getByTestId('stock-text')).toHaveTextContent('80 of 100 left');
    expect(screen.getByTestId('stock-held')).toHaveTextContent('12 reserved in checkout');
    expect(screen.getByTestId('stock-held')).toHaveAttribute('aria-live', 'polite');

    const es = MockEventSource.latest();
    es.emit('initial', saleView({ holdForSeconds: 600, stock: 80, sold: 20, held: 12, confirmed: 8 }), '5');
    es.emit('stock-update', { id: 'widget-drop', stock: 79, sold: 21, held: 13, confirmed: 8 }, '6');
    expect(screen.getByTestId('stock-text')).toHaveTextContent('79 of 100 left');
    expect(screen.getByTestId('stock-held')).toHaveTextContent('13 reserved in checkout');
    // the holds paid or given back: the line stays (a screen reader follows it), empty
    es.emit('stock-update', { id: 'widget-drop', stock: 84, sold: 16, held: 0, confirmed: 16 }, '7');
    expect(screen.getByTestId('stock-held')).toBeEmptyDOMElement();
  });

  it('without checkout: no line for units in checkout', async () => {
    await setup();
    expect(screen.queryByTestId('stock-held')).not.toBeInTheDocument();
  });

  it.each([
    ['SOLD_OUT', 'Sold out: every unit has been sold.'],
    ['TIME_EXPIRED', 'Time expired: the sale window has closed.'],
    ['CANCELLED', 'Cancelled: the organiser called this sale off.'],
  ] as const)('shows why the sale ended (%s) and disables buying', async (endReason, text) => {
    await setup();
    const es = MockEventSource.latest();
    es.emit('initial', saleView(), '1');
    es.emit('state-change', { id: 'widget-drop', state: 'ENDED', endReason }, '2');
    expect(screen.getByTestId('end-reason')).toHaveTextContent(text);
    expect(screen.getByText('Ended')).toHaveAttribute('data-state', 'ENDED');
    expect(screen.getByRole('button', { name: 'Sale ended' })).toBeDisabled();
    expect(screen.queryByTestId('countdown')).not.toBeInTheDocument();
  });

  it('shows Reconnecting and polls every 2 s while the stream is down, and stops once it is back', async () => {
    const { saleGets } = await setup();
    const es = MockEventSource.latest();
    es.open();
    expect(saleGets()).toBe(1);

    es.fail();
    expect(screen.getByText('Reconnecting')).toHaveAttribute('data-stream', 'reconnecting');
    await flush();
    expect(saleGets()).toBe(2);
    await flush(2_000);
    expect(saleGets()).toBe(3);
    await flush(2_000);
    expect(saleGets()).toBe(4);

    es.open();
    expect(screen.getByText('Live')).toBeInTheDocument();
    await flush(10_000);
    expect(saleGets()).toBe(4);
  });

  it('applies polled views while the stream is down', async () => {
    let stock = 87;
    await setup(() => ok(saleView({ stock, sold: 100 - stock, serverTime: new Date().toISOString() })));
    MockEventSource.latest().fail();
    stock = 42;
    await flush(2_000);
    expect(screen.getByTestId('stock-text')).toHaveTextContent('42 of 100 left');
  });

  it('reopens the stream itself when the browser gave up on it', async () => {
    await setup();
    expect(MockEventSource.instances).toHaveLength(1);
    MockEventSource.latest().fail(true);
    await flush(4_000);
    expect(MockEventSource.instances).toHaveLength(2);
    expect(MockEventSource.instances[0]?.readyState).toBe(MockEventSource.CLOSED);
  });

  it('counts down with the server clock, not the browser clock', async () => {
    // The browser clock is an hour behind the server.
    const serverNow = T0 + 3_600_000;
    await setup(() =>
      ok(
        saleView({
          state: 'UPCOMING',
          serverTime: new Date(serverNow).toISOString(),
          startTime: new Date(serverNow + 90_000).toISOString(),
          endTime: new Date(serverNow + 600_000).toISOString(),
        }),
      ),
    );
    expect(screen.getByTestId('countdown')).toHaveTextContent('Starts in 01:30');
    expect(screen.getByRole('button', { name: 'Not started yet' })).toBeDisabled();
  });

  describe('when the countdown reaches zero', () => {
    const start = T0 + 3_000;
    const view = (state: 'UPCOMING' | 'ACTIVE') =>
      saleView({
        state,
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + 60_000).toISOString(),
        serverTime: new Date().toISOString(),
      });

    it('re-fetches the view, after a random delay of up to 1 s', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      let started = false;
      const { saleGets } = await setup(() => ok(view(started ? 'ACTIVE' : 'UPCOMING')));
      expect(screen.getByTestId('countdown')).toHaveTextContent('Starts in 00:03');
      started = true;
      await flush(3_010);
      expect(screen.getByTestId('countdown')).toHaveTextContent('Starts in 00:00');
      expect(saleGets()).toBe(1);
      await flush(500);
      expect(saleGets()).toBe(2);
      expect(screen.getByRole('button', { name: 'Buy now' })).toBeEnabled();
      await flush(1_000);
      expect(screen.getByTestId('countdown')).toHaveTextContent('Ends in 00:59');
      expect(saleGets()).toBe(2);
    });

    it('re-checks every second, five times at most, while the server still says upcoming', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const { saleGets } = await setup(() => ok(view('UPCOMING')));
      await flush(3_000);
      expect(saleGets()).toBe(2);
      await flush(1_000);
      expect(saleGets()).toBe(3);
      await flush(10_000);
      expect(saleGets()).toBe(6);
    });

    it('leaves the re-check to the stream when its state-change arrives first', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0.9);
      const { saleGets } = await setup(() => ok(view('UPCOMING')));
      const es = MockEventSource.latest();
      es.open();
      await flush(3_100);
      es.emit('state-change', { id: 'widget-drop', state: 'ACTIVE', endReason: null }, '2');
      await flush(2_000);
      expect(saleGets()).toBe(1);
      expect(screen.getByRole('button', { name: 'Buy now' })).toBeEnabled();
    });
  });

  it('shows what the admin changed as soon as the sale-update arrives, and ignores an older one', async () => {
    await setup();
    const es = MockEventSource.latest();
    es.emit('initial', saleView(), '1');
    es.emit('sale-update', saleView({ productName: 'Widget, second batch' }), '3');
    expect(screen.getByRole('heading', { name: 'Widget, second batch' })).toBeInTheDocument();
    es.emit('sale-update', saleView({ productName: 'Stale name' }), '2');
    expect(screen.getByRole('heading', { name: 'Widget, second batch' })).toBeInTheDocument();
  });

  it('says so when the sale does not exist', async () => {
    await setup(() => fail(404, 'SALE_NOT_FOUND'));
    expect(screen.getByRole('heading', { name: 'Sale not found' })).toBeInTheDocument();
  });
});
