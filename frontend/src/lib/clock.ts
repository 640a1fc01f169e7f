import type { SaleView } from './types';

/**
 * Offset to add to the browser clock to get the server clock. The browser clock may be
 * minutes off, so every countdown and "is it started yet" decision uses server time.
 */
export function clockOffset(serverTimeIso: string, receivedAt: number): number {
  const serverTime = Date.parse(serverTimeIso);
  return Number.isNaN(serverTime) ? 0 : serverTime - receivedAt;
}

export function serverNow(offsetMs: number, browserNow: number = Date.now()): number {
  return browserNow + offsetMs;
}

export type CountdownTarget = { kind: 'start' | 'end'; at: number };

/** What the countdown runs to: the start while upcoming, the end while active or paused. */
export function countdownTarget(view: Pick<SaleView, 'state' | 'startTime' | 'endTime'>): CountdownTarget | null {
  switch (view.state) {
    case 'UPCOMING':
      return { kind: 'start', at: Date.parse(view.startTime) };
    case 'ACTIVE':
    case 'PAUSED':
      return { kind: 'end', at: Date.parse(view.endTime) };
    case 'ENDED':
      return null;
  }
}

/** Whole seconds left, rounded up so that "0" is shown only once the moment has come. */
export function secondsLeft(targetMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((targetMs - nowMs) / 1000));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 75 → "01:15", 3723 → "1:02:03", 90061 → "1d 01:01:01". */
export function formatCountdown(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const seconds = s % 60;
  if (days > 0) return `${days}d ${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${pad(minutes)}:${pad(seconds)}`;
}

/** True during the first `windowMs` after the start: the moment the herd arrives. */
export function isHerdWindow(startTimeIso: string, nowServerMs: number, windowMs = 2_000): boolean {
  const sinceStart = nowServerMs - Date.parse(startTimeIso);
  return sinceStart >= 0 && sinceStart < windowMs;
}
