import type { ApiResult } from './api';
import type { ApiError, Purchase } from './types';

export type OutcomeKind = 'success' | 'info' | 'warning' | 'error';

export interface Outcome {
  kind: OutcomeKind;
  /** `SUCCESS`, `NETWORK_ERROR` or the API's error code; exposed to tests as data-outcome. */
  code: string;
  title: string;
  detail: string;
  fields?: Array<[string, string]>;
  /** The purchase to show: the new one, or the existing one on ALREADY_PURCHASED. */
  purchase?: Purchase;
}

export interface OutcomeContext {
  perUserLimit: number;
  stock: number;
}

// The contract types error.state and error.endReason as plain strings: any other value gets
// the general sentence.
function notActiveDetail(state: ApiError['state']): string {
  if (state === 'UPCOMING') return 'The sale has not started yet. Wait for the countdown.';
  if (state === 'PAUSED') return 'The sale is paused. Try again when it resumes.';
  return 'The sale is not open right now.';
}

function saleEndedDetail(reason: ApiError['endReason']): string {
  if (reason === 'SOLD_OUT') return 'The sale has ended: everything was sold.';
  if (reason === 'TIME_EXPIRED') return 'The sale has ended: its time ran out.';
  if (reason === 'CANCELLED') return 'The sale was cancelled.';
  return 'The sale has ended.';
}

function retryText(seconds: number | null): string {
  return seconds === null ? 'Try again in a moment.' : `Try again in ${seconds} s.`;
}

/** A 401 to a purchase while signed in: the session ended, and usePurchase signs the shopper in again. */
export const signingInAgain: Outcome = {
  kind: 'info',
  code: 'UNAUTHENTICATED',
  title: 'Please sign in again',
  detail: 'Your session has expired. Taking you to sign in…',
};

/** The identity provider could not be reached to start a sign-in. */
export const signInUnavailable: Outcome = {
  kind: 'error',
  code: 'SIGN_IN_UNAVAILABLE',
  title: 'Sign-in unavailable',
  detail: 'Could not reach the sign-in service. Try again in a moment.',
};

/** Maps the answer to a purchase request (HTTP status + error code) to what the shopper sees. */
export function purchaseOutcome(result: ApiResult<Purchase>, ctx: OutcomeContext): Outcome {
  if (result.kind === 'network') {
    return {
      kind: 'error',
      code: 'NETWORK_ERROR',
      title: 'Network problem',
      detail: 'Could not reach the shop. Check your connection and try again.',
    };
  }
  if (result.kind === 'ok') {
    const purchase = result.data;
    return {
      kind: 'success',
      code: 'SUCCESS',
      title: 'Purchase confirmed',
      detail: `You got it! Your purchase id is ${purchase.purchaseId}.`,
      purchase,
    };
  }
  const { status, error } = result;
  const code = error.code;
  switch (code) {
    case 'SOLD_OUT':
      return { kind: 'warning', code, title: 'Sold out', detail: 'Every unit has been sold. Better luck next time.' };
    case 'ALREADY_PURCHASED':
      return {
        kind: 'info',
        code,
        title: 'Already purchased',
        detail: error.purchase
          ? `You already bought this: purchase ${error.purchase.purchaseId}.`
          : 'You already bought this.',
        ...(error.purchase ? { purchase: error.purchase } : {}),
      };
    case 'SALE_NOT_ACTIVE':
      return { kind: 'warning', code, title: 'Sale not active', detail: notActiveDetail(error.state) };
    case 'SALE_ENDED':
      return { kind: 'warning', code, title: 'Sale ended', detail: saleEndedDetail(error.endReason) };
    case 'LIMIT_EXCEEDED':
      return {
        kind: 'warning',
        code,
        title: 'Limit reached',
        detail: `That would take you over the limit of ${ctx.perUserLimit} per shopper.`,
      };
    case 'INSUFFICIENT_STOCK':
      return {
        kind: 'warning',
        code,
        title: 'Not enough stock',
        detail: `Only ${ctx.stock} left. Lower the quantity and try again.`,
      };
    case 'VALIDATION_ERROR':
      return {
        kind: 'error',
        code,
        title: 'Please check your input',
        detail: error.message,
        fields: Object.entries(error.fields ?? {}),
      };
    case 'UNAUTHENTICATED':
      // Behind an authenticating gateway: loading the page again lets it sign the shopper in.
      return { kind: 'warning', code, title: 'Not signed in', detail: 'The shop could not tell who you are. Reload the page to sign in again.' };
    case 'SALE_NOT_FOUND':
      return { kind: 'error', code, title: 'Sale not found', detail: 'This sale does not exist.' };
    case 'RATE_LIMITED':
      return {
        kind: 'warning',
        code,
        title: 'Too many requests',
        detail: retryText(error.retryAfter ?? result.retryAfterHeader ?? 1),
      };
    case 'SERVICE_UNAVAILABLE':
      return {
        kind: 'warning',
        code,
        title: 'The shop is very busy',
        detail: `We could not take your order right now. ${retryText(result.retryAfterHeader)}`,
      };
    default:
      return {
        kind: 'error',
        code,
        title: 'Something went wrong',
        detail: `Unexpected answer from the shop (HTTP ${status}${code === 'UNEXPECTED_RESPONSE' ? '' : `, ${code}`}). Please try again.`,
      };
  }
}
