import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { fetchMyPurchase, postPurchase } from '../lib/api';
import { isHerdWindow, serverNow } from '../lib/clock';
import { purchaseOutcome, type Outcome } from '../lib/outcome';
import type { Purchase, SaleView } from '../lib/types';
import { loadUserId, saveUserId, validateQty, validateUserId } from '../lib/userId';
import { randomUuid } from '../lib/uuid';

export const PERSISTED_POLL_MS = 2_000;
/** Upper bound of the random delay of a click in the first seconds of a sale. */
export const HERD_JITTER_MS = 500;

/**
 * Where the last click on Buy got to:
 *   idle ──buy──> invalid (bad user id or quantity, nothing sent) ──buy──> …
 *   idle | invalid | done ──buy──> pending ──answer──> done (outcome shown)
 *   pending ──(an unexpected exception)──> idle
 */
export type PurchaseState =
  | { status: 'idle' }
  | { status: 'invalid'; userIdError: string | null; qtyError: string | null }
  | { status: 'pending' }
  | { status: 'done'; outcome: Outcome };

/** What a click on Buy did, so the caller can move the focus. */
export type BuyStart = 'started' | 'busy' | 'closed' | 'invalid-user-id' | 'invalid-qty';

/** The sale fields a purchase depends on. */
export type PurchaseSale = Pick<SaleView, 'id' | 'state' | 'perUserLimit' | 'stock' | 'startTime'>;

export interface UsePurchase {
  state: PurchaseState;
  /** The user id as typed; remembered across reloads. */
  userId: string;
  setUserId: (raw: string) => void;
  /** The shopper left the user id field: show the purchase of that id, if it changed. */
  confirmUserId: () => void;
  /** The quantity as typed (only asked for when more than one unit is allowed). */
  qty: string;
  setQty: (raw: string) => void;
  /** Validates, then sends the purchase with a fresh Idempotency-Key (the answer lands in `state`). */
  buy: () => BuyStart;
  /** The shopper's purchase in this sale: the new one, the existing one, or the one a reload restores. */
  purchase: Purchase | null;
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

/**
 * The purchase flow of one sale: the form's values, validation, the request (at most one
 * at a time, spread over half a second in the herd window), the answer as an outcome, and
 * the shopper's purchase, re-checked until PostgreSQL has it. Mount it keyed by sale id.
 */
export function usePurchase(sale: PurchaseSale, offsetMs: number): UsePurchase {
  const saleId = sale.id;
  const [state, dispatch] = useReducer(transition, idle);
  const [userId, setUserIdRaw] = useState(loadUserId);
  const [qty, setQty] = useState('1');
  const [purchase, setPurchase] = useState<Purchase | null>(null);
  // A ref, not state: two clicks in one frame must not both see "not pending".
  const pendingRef = useRef(false);
  // Whose purchase is shown: a late answer for an id typed earlier is dropped.
  const shownFor = useRef<string | null>(null);

  /** Shows the purchase of `forUserId` once the answer arrives (unless another id is shown by then). */
  const lookUpMyPurchase = useCallback(
    (forUserId: string) => {
      shownFor.current = forUserId;
      void fetchMyPurchase(saleId, forUserId).then((result) => {
        if (shownFor.current !== forUserId) return;
        if (result.kind === 'ok') setPurchase(result.data);
        else if (result.kind === 'error' && result.error.code === 'PURCHASE_NOT_FOUND') setPurchase(null);
      });
    },
    [saleId],
  );

  // A reload restores the purchase of the remembered shopper.
  useEffect(() => {
    const check = validateUserId(loadUserId());
    if (check.ok) lookUpMyPurchase(check.value);
  }, [lookUpMyPurchase]);

  // Until PostgreSQL has it, the purchase is only in Redis and Kafka: show that, and re-check.
  const unpersisted = purchase !== null && !purchase.persisted ? purchase.userId : null;
  useEffect(() => {
    if (unpersisted === null) return;
    const timer = setInterval(() => {
      void fetchMyPurchase(saleId, unpersisted).then((result) => {
        // Keyed by owner: if the shopper switched ids meanwhile, this answer is not theirs.
        if (result.kind === 'ok') setPurchase((shown) => (shown?.userId === unpersisted ? result.data : shown));
      });
    }, PERSISTED_POLL_MS);
    return () => clearInterval(timer);
  }, [saleId, unpersisted]);

  const setUserId = (raw: string) => {
    setUserIdRaw(raw);
    saveUserId(raw);
  };

  const confirmUserId = () => {
    const check = validateUserId(userId);
    if (check.ok && check.value !== shownFor.current) lookUpMyPurchase(check.value);
  };

  const send = async (forUserId: string, units: number) => {
    try {
      // Spread the herd that clicks the instant the sale opens over half a second.
      if (isHerdWindow(sale.startTime, serverNow(offsetMs))) await sleep(Math.random() * HERD_JITTER_MS);
      const result = await postPurchase(saleId, forUserId, units, randomUuid());
      const outcome = purchaseOutcome(result, { perUserLimit: sale.perUserLimit, stock: sale.stock });
      dispatch({ type: 'answered', outcome });
      if (outcome.purchase) setPurchase(outcome.purchase);
      // The request may have gone through before the connection broke: ask, so the shopper knows.
      if (result.kind === 'network') lookUpMyPurchase(forUserId);
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
    if (sale.state !== 'ACTIVE') return 'closed';
    const checkedUserId = validateUserId(userId);
    const checkedQty = sale.perUserLimit > 1 ? validateQty(qty, sale.perUserLimit) : ({ ok: true, value: 1 } as const);
    if (!checkedUserId.ok || !checkedQty.ok) {
      dispatch({
        type: 'rejected',
        userIdError: checkedUserId.ok ? null : checkedUserId.message,
        qtyError: checkedQty.ok ? null : checkedQty.message,
      });
      return checkedUserId.ok ? 'invalid-qty' : 'invalid-user-id';
    }
    pendingRef.current = true;
    shownFor.current = checkedUserId.value;
    dispatch({ type: 'sent' });
    void send(checkedUserId.value, checkedQty.value);
    return 'started';
  };

  return { state, userId, setUserId, confirmUserId, qty, setQty, buy, purchase };
}
