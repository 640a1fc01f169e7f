// The API's types, named for the app. All but the SSE payloads come from api-types.ts, which
// `npm run gen:api` generates from sale-api's OpenAPI document: never write them by hand.
import type { components } from './api-types';

type Schemas = components['schemas'];

/** The sale view of the API contract (GET /sales/{id}, SSE `initial`). */
export type SaleView = Schemas['Sale'];
export type SaleState = SaleView['state'];
export type EndReason = NonNullable<SaleView['endReason']>;

export type Purchase = Schemas['Purchase'];

/** GET /config: how this shop identifies shoppers. */
export type AuthConfig = Schemas['ClientConfig']['auth'];

/** `error` of the failure envelope; code-specific extras are optional. */
export type ApiError = Schemas['Error']['error'];

// The OpenAPI document describes the event stream as text only (its summary lists the
// events), so the two delta payloads are spelled here, as the fields of the view they carry.
/** SSE `stock-update`. */
export type StockUpdate = Pick<SaleView, 'id' | 'stock' | 'sold'>;
/** SSE `state-change`. */
export type StateChange = Pick<SaleView, 'id' | 'state' | 'endReason'>;
