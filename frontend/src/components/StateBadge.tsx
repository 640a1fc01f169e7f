import { stateLabel } from '../lib/saleText';
import type { SaleState } from '../lib/types';

export function StateBadge({ state }: { state: SaleState }) {
  return (
    <span className={`badge badge-${state.toLowerCase()}`} data-state={state}>
      {stateLabel[state]}
    </span>
  );
}
