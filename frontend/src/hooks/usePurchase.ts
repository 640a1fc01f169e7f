import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { cancelHold, fetchMyPurchase, postPurchase, type ApiResult, type Shopper } from '../lib/api';
import { readPlace } from '../lib/auth';
import { readPaymentReturn, withoutPaymentReturn } from '../lib/checkout';
import { isHerdWindow, serverNow } from '../lib/clock';
import { giveUpOutcome, paymentOutcome, purchaseOutcome, signingInAgain, signInUnavailable, type Outcome } from '../lib/outcome';
import type { Purchase, SaleView } from '../lib/types';
import { loadUserId, saveUserId, validateQty, validateUserId } from '../lib/userId';
import { randomUuid } from '../lib/uuid';
import { saleHref } from '../router';
import type { Session } from './useAuth';

export const PERSISTED_POLL_MS = 2_000;
/** Upper bound of the random delay of a click in the first seconds of a sale. */
export const HERD_JITTER_MS = 500;
/** A hold is read again this often while its payment or its expiry has yet to show… */
export const HOLD_RECHECK_MS = 1_000;
/** …this many times: back from the payment page, and once its time is over (sale-api expires it within a second). */
export const HOLD_RECHECKS = 5;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Where the last click on Buy got to:
 *   idle ──buy──> invalid (bad user id or quantity, nothing sent) ──buy──> …
 *   idle | invalid | done ──buy──> pending ──answer──> done (outcome shown)
 *   pending ──(an unexpected exception)──> idle
 * Signed out (oidc), a click leaves for the sign-in instead; a 401 ends in done, then leaves too.
 * Giving up a hold and coming back from the payment page end in done too, with their outcome.
 */
export type PurchaseState =
  | { status: 'idle' }
  | { status: 'invalid'; userIdError: string | null; qtyError: string | null }
  | { status: 'pending' }
  | { status: 'done'; outcome: Outcome };

/** What a click on Buy did, so the caller can move the focus. */
export type BuyStart = 'started' | 'busy' | 'closed' | 'signing-in' | 'invalid-user-id' | 'invalid-qty';

/** The sale fields a purchase depends on. */
export type PurchaseSale = Pick<SaleView, 'id' | 'state' | 'perUserLimit' | 'stock' | 'startTime'>;

export interface UsePurchase {
  state: PurchaseState;
  /** The user id as typed (asked for in none mode only); remembered across reloads. */
  userId: string;
  setUserId: (raw: string) => void;
  /** The shopper left the user id field: show the purchase of that id, if it changed. */
  confirmUserId: () => void;
  /** The quantity as typed (only asked for when more than one unit is allowed); kept through a sign-in. */
  qty: string;
  setQty: (raw: string) => void;
  /**
   * Validates, then sends the purchase with a fresh Idempotency-Key (the answer lands in `state`).
   * Signed out, it signs the shopper in first, and back to this sale.
   */
  buy: () => BuyStart;
  /** The shopper's purchase in this sale: the new one, the existing one, or the one a reload restores. */
  purchase: Purchase | null;
  /** Checkout: gives up the shopper's hold (the answer lands in `state`); ignored while it is on its way. */
  giveUp: () => void;
  givingUp: boolean;
}

type Transition =
  | { type: 'rejected'; userIdError: string | null; qtyError: string | null }
  | { type: 'sent' }
  | { type: 'answered'; outcome: Outcome }
  | { type: 'aborted' };

function transition(_state: PurchaseState, t: Transition): PurchaseState {
  switch (t.type) {
    case 'rejected':
      return { status: 'invalid', userIdError: t.userIdError, qtyError: t.qtyError };
    case 'sent':
      return { status: 'pending' };
    case 'answered':
      return { status: 'done', outcome: t.outcome };
    case 'aborted':
      return idle;
  }
}

const idle: PurchaseState = { status: 'idle' };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whose purchase is shown when the gateway in front says who the shopper is: there is only the one. */
const GATEWAY_SHOPPER = 'trusted-header';

/** A shopper, by the key their purchase is shown under, and how requests say who they are. */
type BuyerCheck = { ok: true; key: string; shopper: Shopper } | { ok: false; message: string };

/** Who buys: in none mode the id as typed (checked); else the gateway's or the signed-in shopper; null while signed out. */
function buyerOf(session: Session, typedUserId: string): BuyerCheck | null {
  switch (session.mode) {
    case 'none': {
      const check = validateUserId(typedUserId);
      return check.ok ? { ok: true, key: check.value, shopper: { mode: 'none', userId: check.value } } : check;
    }
    case 'trusted-header':
      return { ok: true, key: GATEWAY_SHOPPER, shopper: { mode: 'trusted-header' } };
    case 'oidc':
      return session.user && { ok: true, key: session.user.sub, shopper: { mode: 'oidc', accessToken: session.user.accessToken } };
  }
}

/** How to ask for the purchase of `key` now, or null when that shopper has left. */
function shopperFor(session: Session, key: string): Shopper | null {
  const buyer = buyerOf(session, key);
  return buyer?.ok && buyer.key === key ? buyer.shopper : null;
}

/**
 * The purchase flow of one sale: the form's values, validation, the request (at most one
 * at a time, spread over half a second in the herd window), the answer as an outcome, and
 * the shopper's purchase, re-checked until PostgreSQL has it. With checkout: the hold given
 * up, the return from the payment page (its outcome), and the hold re-checked until its
 * payment or its expiry shows. Mount it keyed by sale id and, in oidc mode, by the signed-in shopper.
 */
export function usePurchase(sale: PurchaseSale, offsetMs: number, session: Session): UsePurchase {
  const saleId = sale.id;
  // Back from the payment page (read in render: StrictMode's second effect run would find the URL cleaned).
  const [paymentReturn] = useState(() => readPaymentReturn(window.location.search));
  const [state, dispatch] = useReducer(transition, paymentReturn, (back): PurchaseState =>
    back === null ? idle : { status: 'done', outcome: paymentOutcome(back) },
  );
  const [userId, setUserIdRaw] = useState(loadUserId);
  // A sign-in comes back here with the quantity chosen before (see signIn below).
  const [qty, setQty] = useState(() => readPlace(window.history.state)?.qty ?? '1');
  const [mine, setMine] = useState<{ key: string; purchase: Purchase } | null>(null);
  // A ref, not state: two clicks in one frame must not both see "not pending".
  const pendingRef = useRef(false);
  const [givingUp, setGivingUp] = useState(false);
  const givingUpRef = useRef(false);
  // Whose purchase is shown: a late answer for an id typed earlier is dropped.
  const shownFor = useRef<string | null>(null);
  // The latest session for look-ups that run later: a silently renewed access token, say.
  const sessionRef = useRef(session);
  const offsetRef = useRef(offsetMs);
  useEffect(() => {
    sessionRef.current = session;
    offsetRef.current = offsetMs;
  });

  // The payment's outcome is shown once: a reload, or a link copied from here, must not show it again.
  useEffect(() => {
    if (paymentReturn !== null) window.history.replaceState(window.history.state, '', withoutPaymentReturn(window.location.href));
  }, [paymentReturn]);

  /** Shows the purchase of `key` once the answer arrives (unless another shopper is shown by then). */
  const lookUpMyPurchase = useCallback(
    (key: string) => {
      const shopper = shopperFor(sessionRef.current, key);
      if (shopper === null) return;
      shownFor.current = key;
      void fetchMyPurchase(saleId, shopper).then((result) => {
        if (shownFor.current !== key) return;
        if (result.kind === 'ok') setMine({ key, purchase: result.data });
        else if (result.kind === 'error' && result.error.code === 'PURCHASE_NOT_FOUND') setMine(null);
      });
    },
    [saleId],
  );

  // On arrival (a reload, a sign-in) show the purchase of the remembered, gateway's or signed-in shopper.
  useEffect(() => {
    const buyer = buyerOf(sessionRef.current, loadUserId());
    if (buyer?.ok) lookUpMyPurchase(buyer.key);
  }, [lookUpMyPurchase]);

  /** Reads the purchase of `key` again, to show it if that shopper's purchase is still the one shown. */
  const recheck = useCallback(
    (key: string) => {
      const shopper = shopperFor(sessionRef.current, key);
      if (shopper === null) return;
      void fetchMyPurchase(saleId, shopper).then((result) => {
        // Keyed by owner: if the shopper switched ids meanwhile, this answer is not theirs.
        if (result.kind === 'ok') setMine((shown) => (shown?.key === key ? { key, purchase: result.data } : shown));
      });
    },
    [saleId],
  );

  // Until PostgreSQL has it, the purchase is only in Redis and Kafka: show that, and re-check.
  const unpersisted = mine !== null && !mine.purchase.persisted ? mine.key : null;
  useEffect(() => {
    if (unpersisted === null) return;
    const timer = setInterval(() => recheck(unpersisted), PERSISTED_POLL_MS);
    return () => clearInterval(timer);
  }, [recheck, unpersisted]);

  // A hold changes without the shopper here: paid (the provider tells the shop), or expired. Back
  // from the payment page, read it again a few times; and when its time is over, until it shows.
  const held = mine !== null && mine.purchase.status === 'HELD' ? mine : null;
  const heldKey = held?.key ?? null;
  const heldUntil = held?.purchase.expiresAt ?? null;
  const backFromPayment = paymentReturn !== null;
  useEffect(() => {
    if (heldKey === null || heldUntil === null) return;
    const expiresAt = Date.parse(heldUntil);
    let paymentRechecks = backFromPayment ? HOLD_RECHECKS : 0;
    let expiryRechecks = HOLD_RECHECKS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Back from the payment page: every second, a few times. Then (or else) at expiresAt on the
    // server clock, and every second after it, a few times.
    const next = () => {
      const left = expiresAt - serverNow(offsetRef.current);
      if (left > 0 && paymentRechecks-- > 0) timer = setTimeout(readAgain, HOLD_RECHECK_MS);
      else if (left > 0) timer = setTimeout(readAgain, Math.min(left, MAX_TIMEOUT_MS));
      else if (expiryRechecks-- > 0) timer = setTimeout(readAgain, HOLD_RECHECK_MS);
    };
    const readAgain = () => {
      recheck(heldKey);
      next();
    };
    next();
    return () => clearTimeout(timer);
  }, [recheck, heldKey, heldUntil, backFromPayment]);

  const setUserId = (raw: string) => {
    setUserIdRaw(raw);
    saveUserId(raw);
  };

  const confirmUserId = () => {
    const buyer = buyerOf(session, userId);
    if (buyer?.ok && buyer.key !== shownFor.current) lookUpMyPurchase(buyer.key);
  };

  /** Off to the identity provider, to come back to this sale with the quantity chosen here. */
  const signIn = () => {
    if (session.mode !== 'oidc') return;
    session.signIn({ path: saleHref(saleId), qty }).catch(() => dispatch({ type: 'answered', outcome: signInUnavailable }));
  };

  /** A 401 while signed in: the session ended (expired, revoked, renewal failed). Sign in again, and back here. */
  const sessionEnded = (result: ApiResult<unknown>): boolean => {
    if (result.kind !== 'error' || result.status !== 401 || session.mode !== 'oidc') return false;
    dispatch({ type: 'answered', outcome: signingInAgain });
    signIn();
    return true;
  };

  const send = async (key: string, shopper: Shopper, units: number) => {
    try {
      // Spread the herd that clicks the instant the sale opens over half a second.
      if (isHerdWindow(sale.startTime, serverNow(offsetMs))) await sleep(Math.random() * HERD_JITTER_MS);
      const result = await postPurchase(saleId, shopper, units, randomUuid());
      if (sessionEnded(result)) return;
      const outcome = purchaseOutcome(result, { perUserLimit: sale.perUserLimit, stock: sale.stock });
      dispatch({ type: 'answered', outcome });
      if (outcome.purchase) setMine({ key, purchase: outcome.purchase });
      // The request may have gone through before the connection broke: ask, so the shopper knows.
      if (result.kind === 'network') lookUpMyPurchase(key);
    } catch (e) {
      // A bug, not an answer (the client turns every failure into a result): keep the form usable.
      dispatch({ type: 'aborted' });
      console.error('purchase failed', e);
    } finally {
      pendingRef.current = false;
    }
  };

  const buy = (): BuyStart => {
    if (pendingRef.current) return 'busy';
    const buyer = buyerOf(session, userId);
    // Signed out: sign in first, before the start too (the first seconds of a sale count).
    if (buyer === null) {
      if (sale.state === 'ENDED') return 'closed';
      signIn();
      return 'signing-in';
    }
    if (sale.state !== 'ACTIVE') return 'closed';
    const checkedQty = sale.perUserLimit > 1 ? validateQty(qty, sale.perUserLimit) : ({ ok: true, value: 1 } as const);
    if (!buyer.ok || !checkedQty.ok) {
      dispatch({
        type: 'rejected',
        userIdError: buyer.ok ? null : buyer.message,
        qtyError: checkedQty.ok ? null : checkedQty.message,
      });
      return buyer.ok ? 'invalid-qty' : 'invalid-user-id';
    }
    pendingRef.current = true;
    shownFor.current = buyer.key;
    dispatch({ type: 'sent' });
    void send(buyer.key, buyer.shopper, checkedQty.value);
    return 'started';
  };

  const giveUp = () => {
    if (givingUpRef.current || held === null) return;
    const { key } = held;
    const shopper = shopperFor(session, key);
    if (shopper === null) return;
    givingUpRef.current = true;
    setGivingUp(true);
    void cancelHold(saleId, shopper)
      .then((result) => {
        if (sessionEnded(result)) return;
        const outcome = giveUpOutcome(result);
        dispatch({ type: 'answered', outcome });
        if (outcome.purchase) {
          const { purchase } = outcome;
          setMine((shown) => (shown?.key === key ? { key, purchase } : shown));
        } else if (result.kind === 'error' && result.error.code === 'PURCHASE_NOT_FOUND') {
          setMine((shown) => (shown?.key === key ? null : shown));
        }
      })
      .finally(() => {
        givingUpRef.current = false;
        setGivingUp(false);
      });
  };

  return { state, userId, setUserId, confirmUserId, qty, setQty, buy, purchase: mine?.purchase ?? null, giveUp, givingUp };
}
