import { describe, expect, it } from 'vitest';
import { clockOffset, countdownTarget, formatCountdown, isHerdWindow, secondsLeft, serverNow } from './clock';

describe('clock offset', () => {
  it('is server time minus the browser time at receipt', () => {
    const receivedAt = Date.parse('2026-02-15T10:00:00.000Z');
    expect(clockOffset('2026-02-15T10:00:05.250Z', receivedAt)).toBe(5_250);
    expect(clockOffset('2026-02-15T09:59:58.000Z', receivedAt)).toBe(-2_000);
  });

  it('falls back to the browser clock for an unparsable serverTime', () => {
    expect(clockOffset('not a date', 1_000)).toBe(0);
  });

  it('corrects the browser clock', () => {
    expect(serverNow(5_000, 100_000)).toBe(105_000);
  });
});

describe('countdown target', () => {
  const times = { startTime: '2026-02-15T10:00:00.000Z', endTime: '2026-02-15T10:30:00.000Z' };

  it('counts to the start while upcoming and to the end while active or paused', () => {
    expect(countdownTarget({ ...times, state: 'UPCOMING' })).toEqual({ kind: 'start', at: Date.parse(times.startTime) });
    expect(countdownTarget({ ...times, state: 'ACTIVE' })).toEqual({ kind: 'end', at: Date.parse(times.endTime) });
    expect(countdownTarget({ ...times, state: 'PAUSED' })).toEqual({ kind: 'end', at: Date.parse(times.endTime) });
  });

  it('has nothing to count to once ended', () => {
    expect(countdownTarget({ ...times, state: 'ENDED' })).toBeNull();
  });
});

describe('secondsLeft', () => {
  it('rounds up so zero shows only when the moment has come', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 9_999)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 12_000)).toBe(0);
  });
});

describe('formatCountdown', () => {
  it.each([
    [0, '00:00'],
    [5, '00:05'],
    [75, '01:15'],
    [3_599, '59:59'],
    [3_723, '1:02:03'],
    [90_061, '1d 01:01:01'],
    [-3, '00:00'],
  ])('%i s → %s', (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });
});

describe('herd window', () => {
  const start = '2026-02-15T10:00:00.000Z';
  const at = (iso: string) => Date.parse(iso);

  it('covers the first two seconds after the start, start inclusive', () => {
    expect(isHerdWindow(start, at('2026-02-15T09:59:59.999Z'))).toBe(false);
    expect(isHerdWindow(start, at('2026-02-15T10:00:00.000Z'))).toBe(true);
    expect(isHerdWindow(start, at('2026-02-15T10:00:01.999Z'))).toBe(true);
    expect(isHerdWindow(start, at('2026-02-15T10:00:02.000Z'))).toBe(false);
  });
});
