import { useEffect, useState } from 'react';

/** Server time (epoch ms), re-rendering just after each server-clock second boundary. */
export function useServerNow(offsetMs: number): number {
  const [tick, setTick] = useState(() => ({ offsetMs, now: Date.now() + offsetMs }));
  let current = tick;
  if (tick.offsetMs !== offsetMs) {
    // A new offset applies in this very render: one frame on the old clock would show a
    // countdown that is off by the whole clock difference.
    current = { offsetMs, now: Date.now() + offsetMs };
    setTick(current);
  }

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const step = () => {
      const now = Date.now() + offsetMs;
      setTick({ offsetMs, now });
      // Aligning to the boundary makes a countdown change exactly when its second elapses.
      timer = setTimeout(step, 1000 - (now % 1000) + 5);
    };
    timer = setTimeout(step, 1000 - ((Date.now() + offsetMs) % 1000) + 5);
    return () => clearTimeout(timer);
  }, [offsetMs]);

  return current.now;
}
