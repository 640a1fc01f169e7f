export type SaleState = 'UPCOMING' | 'ACTIVE' | 'PAUSED' | 'ENDED';
export type EndReason = 'SOLD_OUT' | 'TIME_EXPIRED' | 'CANCELLED';

/** The sale view of the API contract (GET /sales/{id}, SSE `initial`). */
export interface SaleView {
  id: string;
  sku: string;
  productName: string;
  state: SaleState;
  endReason: EndReason | null;
  initialStock: number;
  stock: number;
  sold: number;
  perUserLimit: number;
  startTime: string;
  endTime: string;
  serverTime: string;
}

export interface StockUpdate {
  id: string;
  stock: number;
  sold: number;
}

export interface StateChange {
  id: string;
  state: SaleState;
  endReason: EndReason | null;
}

export interface Purchase {
  purchaseId: string;
  saleId: string;
  userId: string;
  qty: number;
  purchasedAt: string;
  persisted: boolean;
}

/** `error` of the failure envelope; code-specific extras are optional. */
export interface ApiError {
  code: string;
  message: string;
  fields?: Record<string, string>;
  purchase?: Purchase;
  retryAfter?: number;
  state?: SaleState;
  endReason?: EndReason | null;
}
