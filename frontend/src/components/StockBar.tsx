interface Props {
  stock: number;
  initialStock: number;
  /** Announce changes to screen readers (on the sale page, not on every list card). */
  live?: boolean;
  /** Units in checkout holds, given for a sale with checkout: off sale until paid, or back on sale. */
  held?: number | undefined;
}

export function StockBar({ stock, initialStock, live = false, held }: Props) {
  const liveProps = live ? ({ 'aria-live': 'polite', 'aria-atomic': true } as const) : {};
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
      <p className="stock-text" {...liveProps} data-testid="stock-text">
        <span className="num">{stock}</span> of <span className="num">{initialStock}</span> left
      </p>
      {/* there before its first unit, so that a screen reader announces it */}
      {held !== undefined && (
        <p className="stock-held" {...liveProps} data-testid="stock-held">
          {held > 0 && (
            <>
              <span className="num">{held}</span> reserved in checkout
            </>
          )}
        </p>
      )}
    </div>
  );
}
