import { renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush } from '../test/fakes';
import { useServerNow } from './useServerNow';

const T0 = Date.parse('2026-02-15T10:00:00.300Z');

describe('useServerNow', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the server clock at mount and just after each of its second boundaries', async () => {
    const renders: number[] = [];
    const { result } = renderHook(() => {
      const now = useServerNow(200);
      renders.push(now);
      return now;
    });
    expect(result.current).toBe(T0 + 200);
    // The server clock is at .500: its next second starts in 500 ms.
    await flush(499);
    expect(result.current).toBe(T0 + 200);
    await flush(6);
    expect(result.current).toBe(T0 + 200 + 505);
    await flush(1_000);
    expect(result.current).toBe(T0 + 200 + 1_505);
    expect(new Set(renders)).toEqual(new Set([T0 + 200, T0 + 705, T0 + 1_705]));
  });

  it('applies a new offset in the render that passes it, and re-aligns the ticks', async () => {
    const { result, rerender } = renderHook(({ offsetMs }) => useServerNow(offsetMs), { initialProps: { offsetMs: 0 } });
    await flush(100);
    rerender({ offsetMs: 3_600_000 + 600 });
    expect(result.current).toBe(T0 + 100 + 3_600_600);
    // new clock at .000 + 0.1 s: the next boundary is 1 s away, not the old clock's 0.6 s
    await flush(600);
    expect(result.current).toBe(T0 + 100 + 3_600_600);
    await flush(405);
    expect(result.current).toBe(T0 + 1_105 + 3_600_600);
  });

  it('stops ticking when unmounted', () => {
    const { unmount } = renderHook(() => useServerNow(0));
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
