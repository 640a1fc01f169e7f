-- Checkout (sales with spec.checkout.holdFor): a purchase's current status beside it, and every
-- transition in an append-only ledger. Purchases of sales without checkout are CONFIRMED from the
-- start and have no ledger rows.
ALTER TABLE purchases
    ADD COLUMN status     text        NOT NULL DEFAULT 'CONFIRMED'
        CHECK (status IN ('HELD', 'CONFIRMED', 'EXPIRED', 'CANCELLED')),
    ADD COLUMN status_at  timestamptz,
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN payment_id text;

-- One row per transition; the key makes a transition delivered twice (relay retry, re-drive) land
-- once. payment_id is '' for the transitions that carry no payment, so that it can be in the key:
-- a late payment is recorded once per payment.
CREATE TABLE purchase_events (
    sale_id     text        NOT NULL,
    purchase_id text        NOT NULL,
    event       text        NOT NULL CHECK (event IN ('HELD', 'CONFIRMED', 'EXPIRED', 'CANCELLED',
                                                      'PAYMENT_AFTER_EXPIRY', 'DUPLICATE_PAYMENT')),
    payment_id  text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sale_id, purchase_id, event, payment_id)
);
