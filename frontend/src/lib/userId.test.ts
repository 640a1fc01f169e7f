import { describe, expect, it } from 'vitest';
import { loadUserId, saveUserId, validateQty, validateUserId } from './userId';

describe('validateUserId', () => {
  it('accepts and trims a normal id', () => {
    expect(validateUserId('  alice@example.com ')).toEqual({ ok: true, value: 'alice@example.com' });
    expect(validateUserId('x'.repeat(255))).toEqual({ ok: true, value: 'x'.repeat(255) });
    expect(validateUserId('Zoë')).toEqual({ ok: true, value: 'Zoë' });
  });

  it.each([
    ['', 'Enter a user id.'],
    ['   \t ', 'Enter a user id.'],
  ])('rejects blank %j', (raw, message) => {
    expect(validateUserId(raw)).toEqual({ ok: false, message });
  });

  it('rejects more than 255 characters after trimming', () => {
    expect(validateUserId(` ${'x'.repeat(255)} `).ok).toBe(true);
    expect(validateUserId('x'.repeat(256))).toEqual({
      ok: false,
      message: 'The user id is too long (256 characters, at most 255).',
    });
  });

  it.each(['a\tb', 'a\nb', 'a\u0000b', 'a\u007fb', 'a\u0085b'])('rejects control characters in %j', (raw) => {
    expect(validateUserId(raw)).toEqual({
      ok: false,
      message: 'The user id must not contain control characters (such as tabs or line breaks).',
    });
  });

  it('rejects characters a header cannot carry', () => {
    expect(validateUserId('alice😀')).toEqual({ ok: false, message: 'The user id may only use Latin-1 characters (no emoji or non-Latin scripts).' });
  });
});

describe('validateQty', () => {
  it('accepts integers from 1 to the limit', () => {
    expect(validateQty('1', 3)).toEqual({ ok: true, value: 1 });
    expect(validateQty('3', 3)).toEqual({ ok: true, value: 3 });
  });

  it.each(['', '0', '-1', '1.5', 'abc'])('rejects %j', (raw) => {
    expect(validateQty(raw, 3)).toEqual({ ok: false, message: 'Enter a quantity of at least 1.' });
  });

  it('rejects more than the per-user limit', () => {
    expect(validateQty('4', 3)).toEqual({ ok: false, message: 'You can buy at most 3 per shopper.' });
  });
});

describe('remembered user id', () => {
  it('round-trips through localStorage', () => {
    expect(loadUserId()).toBe('');
    saveUserId('bob');
    expect(loadUserId()).toBe('bob');
  });
});
