import { useMemo, useSyncExternalStore } from 'react';

const SECOND_MS = 1_000;
/** Ticks land this long after a boundary, so that the clock read then is past it. */
const TICK_LATE_MS = 5;

/**
 * The server clock as an external store: its value is read once when first asked for,
 * then again just after each server-clock second boundary, when subscribers are told.
 */
function serverClock(offsetMs: number) {
  let now: number | null = null;
  const read = () => (now = Date.now() + offsetMs);
  return {
    getSnapshot: (): number => now ?? read(),
    subscribe: (onTick: () => void) => {
      let timer: ReturnType<typeof setTimeout>;
      const schedule = () => {
        // Aligning to the boundary makes a countdown change exactly when its second elapses.
        const at = Date.now() + offsetMs;
        timer = setTimeout(
          () => {
            read();
            onTick();
            schedule();
          },
          SECOND_MS - (at % SECOND_MS) + TICK_LATE_MS,
        );
      };
      schedule();
      return () => clearTimeout(timer);
    },
  };
}

/**
 * Server time (epoch ms), re-rendering just after each server-clock second boundary. A new
 * offset applies in the very render that passes it (one frame on the old clock would show
 * a countdown that is off by the whole clock difference).
 */
export function useServerNow(offsetMs: number): number {
  const clock = useMemo(() => serverClock(offsetMs), [offsetMs]);
  return useSyncExternalStore(clock.subscribe, clock.getSnapshot);
}
