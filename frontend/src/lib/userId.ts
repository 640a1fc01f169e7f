export const MAX_USER_ID_LENGTH = 255;
const STORAGE_KEY = 'flashsale.userId';

export type UserIdCheck = { ok: true; value: string } | { ok: false; message: string };

/**
 * The contract's rule for X-User-Id (trimmed, 1..255 characters, no control characters),
 * plus Latin-1: fetch() refuses other characters in a header value before sending anything.
 */
export function validateUserId(raw: string): UserIdCheck {
  const value = raw.trim();
  if (value === '') return { ok: false, message: 'Enter a user id.' };
  if (value.length > MAX_USER_ID_LENGTH) {
    return { ok: false, message: `The user id is too long (${value.length} characters, at most ${MAX_USER_ID_LENGTH}).` };
  }
  // Cc: U+0000–U+001F and U+007F–U+009F
  if (/\p{Cc}/u.test(value)) {
    return { ok: false, message: 'The user id must not contain control characters (such as tabs or line breaks).' };
  }
  // anything above U+00FF (an emoji is two UTF-16 units, both in this range)
  if (/[\u0100-\uffff]/.test(value)) {
    return { ok: false, message: 'The user id may only use Latin-1 characters (no emoji or non-Latin scripts).' };
  }
  return { ok: true, value };
}

export type QtyCheck = { ok: true; value: number } | { ok: false; message: string };

export function validateQty(raw: string, perUserLimit: number): QtyCheck {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 1) {
    return { ok: false, message: 'Enter a quantity of at least 1.' };
  }
  if (value > perUserLimit) return { ok: false, message: `You can buy at most ${perUserLimit} per shopper.` };
  return { ok: true, value };
}

// Storage can be unavailable (privacy modes, quota); remembering the id is a convenience only.
export function loadUserId(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveUserId(value: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // see loadUserId
  }
}
