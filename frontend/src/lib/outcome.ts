import type { ApiResult } from './api';
import type { PaymentReturn } from './checkout';
import type { ApiError, Purchase, PurchaseStatus } from './types';

export type OutcomeKind = 'success' | 'info' | 'warning' | 'error';

export interface Outcome {
  kind: OutcomeKind;
  /**
   * `SUCCESS`, `NETWORK_ERROR`, the API's error code, `CANCELLED` (a hold given up) or, back from the
   * payment page, `PAYMENT_SUCCEEDED`, `PAYMENT_FAILED`, `PAYMENT_ABANDONED` or the code the shop
   * refused the payment with (`PAYMENT_REFUSED` when none came back); exposed to tests as data-outcome.
   */
  code: string;
  title: string;
  detail: string;
  fields?: Array<[string, string]>;
  /** The purchase to show: the new one, the existing one on ALREADY_PURCHASED, the one a hold given up became. */
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

const networkProblem: Outcome = {
  kind: 'error',
  code: 'NETWORK_ERROR',
  title: 'Network problem',
  detail: 'Could not reach the shop. Check your connection and try again.',
};

// Behind an authenticating gateway: loading the page again lets it sign the shopper in.
const notSignedIn: Outcome = {
  kind: 'warning',
  code: 'UNAUTHENTICATED',
  title: 'Not signed in',
  detail: 'The shop could not tell who you are. Reload the page to sign in again.',
};

function unexpectedAnswer(status: number, code: string): Outcome {
  return {
    kind: 'error',
    code,
    title: 'Something went wrong',
    detail: `Unexpected answer from the shop (HTTP ${status}${code === 'UNEXPECTED_RESPONSE' ? '' : `, ${code}`}). Please try again.`,
  };
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
  if (result.kind === 'network') return networkProblem;
  if (result.kind === 'ok') {
    const purchase = result.data;
    // With checkout the units are the shopper's for a while: until they pay, or the time is over.
    if (purchase.status === 'HELD') {
      return {
        kind: 'success',
        code: 'SUCCESS',
        title: 'Reserved',
        detail: `Purchase ${purchase.purchaseId} is held for you: pay for it before the time runs out.`,
        purchase,
      };
    }
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
      if (error.purchase?.status === 'HELD') {
        return {
          kind: 'info',
          code,
          title: 'Already reserved',
          detail: `You already hold this: purchase ${error.purchase.purchaseId}. Pay for it before the time runs out.`,
          purchase: error.purchase,
        };
      }
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
      return notSignedIn;
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
      return unexpectedAnswer(status, code);
  }
}

function notHeldDetail(status: PurchaseStatus | undefined): string {
  switch (status) {
    case 'CONFIRMED':
      return "It is paid already: it's yours.";
    case 'EXPIRED':
      return 'Your hold had expired already; its units went back on sale.';
    case 'CANCELLED':
      return 'You had given it up already.';
    default:
      return 'Your purchase is not held any more.';
  }
}

/** Maps the answer to giving up a hold (DELETE purchases/me) to what the shopper sees. */
export function giveUpOutcome(result: ApiResult<Purchase>): Outcome {
  if (result.kind === 'network') return networkProblem;
  if (result.kind === 'ok') {
    return { kind: 'info', code: 'CANCELLED', title: 'Hold given up', detail: 'Its units are back on sale.', purchase: result.data };
  }
  const { status, error } = result;
  switch (error.code) {
    case 'PURCHASE_NOT_HELD':
      return {
        kind: 'info',
        code: error.code,
        title: 'Nothing to give up',
        detail: notHeldDetail(error.purchase?.status),
        ...(error.purchase ? { purchase: error.purchase } : {}),
      };
    case 'PURCHASE_NOT_FOUND':
      return { kind: 'warning', code: error.code, title: 'No purchase found', detail: 'The shop has no purchase of yours in this sale.' };
    case 'UNAUTHENTICATED':
      return notSignedIn;
    default:
      return unexpectedAnswer(status, error.code);
  }
}

/** What the shopper sees back from the payment page; their purchase is read again to show its status. */
export function paymentOutcome(back: PaymentReturn): Outcome {
  switch (back.payment) {
    case 'succeeded':
      return { kind: 'success', code: 'PAYMENT_SUCCEEDED', title: 'Payment received', detail: 'Thank you! The shop has your payment.' };
    case 'failed':
      return { kind: 'error', code: 'PAYMENT_FAILED', title: 'Payment failed', detail: 'Nothing was paid. You can try again while your hold lasts.' };
    case 'abandoned':
      return {
        kind: 'info',
        code: 'PAYMENT_ABANDONED',
        title: 'Not paid',
        detail: 'You left the payment page without paying. Your hold lasts until its time is over.',
      };
    case 'refused':
      if (back.code === 'HOLD_EXPIRED') {
        return {
          kind: 'warning',
          code: back.code,
          title: 'Payment too late',
          detail: 'Your hold had expired before the payment arrived. The payment will be refunded.',
        };
      }
      if (back.code === 'ALREADY_PAID') {
        return { kind: 'info', code: back.code, title: 'Paid already', detail: 'This hold was paid already. The second payment will be refunded.' };
      }
      return {
        kind: 'error',
        code: back.code ?? 'PAYMENT_REFUSED',
        title: 'Payment not accepted',
        detail: back.code === null ? 'The shop did not accept the payment.' : `The shop did not accept the payment (${back.code}).`,
      };
  }
}
