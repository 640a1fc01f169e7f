-- The durable record of every confirmed purchase. The primary key makes persistence idempotent:
-- a purchase delivered twice (relay retry, re-drive) is inserted once.
CREATE TABLE purchases (
    sale_id      text        NOT NULL,
    purchase_id  text        NOT NULL,
    user_id      text        NOT NULL,
    qty          integer     NOT NULL CHECK (qty > 0),
    purchased_at timestamptz NOT NULL,
    persisted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sale_id, purchase_id)
);

CREATE INDEX purchases_sale_user ON purchases (sale_id, user_id);
