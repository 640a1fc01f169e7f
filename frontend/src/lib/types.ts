// The API's types, named for the app. All but the SSE payloads come from api-types.ts, which
// `npm run gen:api` generates from sale-api's OpenAPI document: never write them by hand.
import type { components } from './api-types';

type Schemas = components['schemas'];

/** The sale view of the API contract (GET /sales/{id}, SSE `initial`). */
export type SaleView = Schemas['Sale'];
export type SaleState = SaleView['state'];
export type EndReason = NonNullable<SaleView['endReason']>;

export type Purchase = Schemas['Purchase'];
/** HELD until paid (CONFIRMED), given up (CANCELLED) or past expiresAt (EXPIRED); CONFIRMED at once without checkout. */
export type PurchaseStatus = Purchase['status'];

/** GET /config: how this shop identifies shoppers. */
export type AuthConfig = Schemas['ClientConfig']['auth'];

/** GET /config: where the shop sends a shopper to pay a checkout hold (absent when it has no payment page). */
export type CheckoutConfig = NonNullable<Schemas['ClientConfig']['checkout']>;

/** `error` of the failure envelope; code-specific extras are optional. */
export type ApiError = Schemas['Error']['error'];

// The OpenAPI document describes the event stream as text only (its summary lists the
// events), so the two delta payloads are spelled here, as the fields of the view they carry.
/** SSE `stock-update`. */
export type StockUpdate = Pick<SaleView, 'id' | 'stock' | 'sold' | 'held' | 'confirmed'>;
/** SSE `state-change`. */
export type StateChange = Pick<SaleView, 'id' | 'state' | 'endReason'>;
