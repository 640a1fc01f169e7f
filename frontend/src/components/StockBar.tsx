interface Props {
  stock: number;
  initialStock: number;
  /** Announce changes to screen readers (on the sale page, not on every list card). */
  live?: boolean;
}

export function StockBar({ stock, initialStock, live = false }: Props) {
  const fraction = initialStock > 0 ? Math.min(1, Math.max(0, stock / initialStock)) : 0;
  const low = fraction > 0 && fraction <= 0.2;
  return (
    <div className="stock">
      <div
        className="stock-track"
        role="progressbar"
        aria-label="Stock remaining"
        aria-valuemin={0}
        aria-valuemax={initialStock}
        aria-valuenow={stock}
      >
        {/* scaleX instead of width: changing stock repaints the bar without a layout pass */}
        <div className={low ? 'stock-fill stock-fill-low' : 'stock-fill'} style={{ transform: `scaleX(${fraction})` }} />
      </div>
      <p className="stock-text" {...(live ? { 'aria-live': 'polite', 'aria-atomic': true } : {})} data-testid="stock-text">
        <span className="num">{stock}</span> of <span className="num">{initialStock}</span> left
      </p>
    </div>
  );
}
