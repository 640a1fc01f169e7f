import type { EndReason, SaleState } from './types';

export const stateLabel: Record<SaleState, string> = {
  UPCOMING: 'Upcoming',
  ACTIVE: 'Active',
  PAUSED: 'Paused',
  ENDED: 'Ended',
};

export function endReasonLabel(reason: EndReason | null): string {
  switch (reason) {
    case 'SOLD_OUT':
      return 'Sold out';
    case 'TIME_EXPIRED':
      return 'Time expired';
    case 'CANCELLED':
      return 'Cancelled';
    case null:
      return 'Ended';
  }
}

/** Why the sale ended, as one sentence for the sale page. */
export function endReasonSentence(reason: EndReason | null): string {
  switch (reason) {
    case 'SOLD_OUT':
      return 'Sold out: every unit has been sold.';
    case 'TIME_EXPIRED':
      return 'Time expired: the sale window has closed.';
    case 'CANCELLED':
      return 'Cancelled: the organiser called this sale off.';
    case null:
      return 'This sale has ended.';
  }
}
