import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush } from '../test/fakes';
import type { PurchaseStatus } from '../lib/types';
import { CheckoutStatus } from './CheckoutStatus';

const T0 = Date.parse('2026-02-15T10:00:00.000Z');
const PAY = 'http://127.0.0.1:16090/pay?purchaseId=widget-drop-1&returnUrl=http%3A%2F%2F127.0.0.1%3A8080%2Fsales%2Fwidget-drop';

function setup({ status = 'HELD', offsetMs = 0, payHref = PAY, givingUp = false }: { status?: PurchaseStatus; offsetMs?: number; payHref?: string | null; givingUp?: boolean } = {}) {
  const onGiveUp = vi.fn();
  render(
    <CheckoutStatus
      status={status}
      expiresAt={new Date(T0 + 125_000).toISOString()}
      offsetMs={offsetMs}
      payHref={payHref}
      givingUp={givingUp}
      onGiveUp={onGiveUp}
    />,
  );
  return { onGiveUp, box: screen.getByTestId('checkout') };
}

describe('CheckoutStatus', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('HELD: reserved, with a countdown to its expiry that ticks every second', async () => {
    const { box } = setup();
    expect(box).toHaveAttribute('data-status', 'HELD');
    expect(box.querySelector('.checkout-status')).toHaveTextContent('Reserved for you — pay within 02:05');
    const timer = screen.getByRole('timer');
    expect(timer).toHaveAttribute('dateTime', new Date(T0 + 125_000).toISOString());
    // the status is announced when it changes, the countdown is not, every second
    expect(box.querySelector('.checkout-status')).toHaveAttribute('aria-live', 'polite');
    expect(timer).toHaveAttribute('aria-live', 'off');

    await flush(1_010);
    expect(timer).toHaveTextContent('02:04');
    await flush(124_000);
    expect(timer).toHaveTextContent('00:00');
  });

  it('counts down on the server clock', () => {
    // the server is 65 s ahead of this browser
    setup({ offsetMs: 65_000 });
    expect(screen.getByRole('timer')).toHaveTextContent('01:00');
  });

  it('HELD: Pay now leads to the payment page; Give up asks to give up', async () => {
    const { onGiveUp } = setup();
    expect(screen.getByRole('link', { name: 'Pay now' })).toHaveAttribute('href', PAY);
    vi.useRealTimers();
    await userEvent.click(screen.getByRole('button', { name: 'Give up' }));
    expect(onGiveUp).toHaveBeenCalledTimes(1);
  });

  it('HELD while giving up: the button says so and stays focusable', () => {
    setup({ givingUp: true });
    const button = screen.getByRole('button', { name: 'Giving up…' });
    expect(button).toBeEnabled();
    expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(button).toHaveAttribute('aria-busy', 'true');
  });

  it('HELD in a shop without a payment page: no link, and it says why', () => {
    setup({ payHref: null });
    expect(screen.queryByRole('link', { name: 'Pay now' })).not.toBeInTheDocument();
    expect(screen.getByText('This shop takes no payments right now.')).toBeInTheDocument();
  });

  it.each([
    ['CONFIRMED', "Paid — it's yours."],
    ['EXPIRED', 'Your hold expired, the units went back on sale.'],
    ['CANCELLED', 'You gave up your hold, the units went back on sale.'],
  ] as const)('%s: says how the hold ended, with nothing left to do', (status, text) => {
    const { box } = setup({ status });
    expect(box).toHaveAttribute('data-status', status);
    expect(box).toHaveTextContent(text);
    expect(screen.queryByRole('timer')).not.toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
