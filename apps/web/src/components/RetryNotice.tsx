import { useEffect, useState } from "react";

import { UNAVAILABLE_MESSAGE } from "../api-failure.js";

/** "The service is unavailable … Retrying in 4 s", counting down, with a way to retry at once. */
export function RetryNotice({ retryAt, onRetryNow }: { retryAt: number; onRetryNow: () => void }) {
  const seconds = useSecondsUntil(retryAt);
  return (
    <div className="notice notice-warning" role="alert">
      <p>
        {UNAVAILABLE_MESSAGE} {/* Announced once, not every second. */}
        <span aria-live="off">{seconds > 0 ? `Retrying in ${seconds} s…` : "Retrying…"}</span>
      </p>
      <button type="button" className="button-quiet" onClick={onRetryNow}>
        Retry now
      </button>
    </div>
  );
}

function useSecondsUntil(time: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [time]);
  return Math.max(0, Math.ceil((time - now) / 1000));
}
