import type { StreamStatus } from '../hooks/useSaleStream';

const text: Record<StreamStatus, string> = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
};

export function StreamIndicator({ status }: { status: StreamStatus }) {
  return (
    <span className={`stream stream-${status}`} role="status" data-stream={status}>
      <span className="stream-dot" aria-hidden="true" />
      {text[status]}
    </span>
  );
}
