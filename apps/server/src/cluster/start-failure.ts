// A worker that cannot start does not print its line itself: it tells the
// primary, which says it once for the whole server when no worker could
// start (cluster/supervisor.ts), or logs it with the worker's death.

export interface StartFailureMessage {
  type: "start-failed";
  /** Why, in one line; `explained` false for a failure nobody foresaw (its stack is in the log). */
  line: string;
  explained: boolean;
}

export const isStartFailure = (message: unknown): message is StartFailureMessage =>
  (message as StartFailureMessage | null)?.type === "start-failed";

/** In a worker: sends why it could not start; resolves once sent, or once it cannot be. */
export function tellPrimaryWhyNotStarted(
  channel: Pick<NodeJS.Process, "send" | "connected">,
  failure: Omit<StartFailureMessage, "type">,
): Promise<void> {
  const message: StartFailureMessage = { type: "start-failed", ...failure };
  return new Promise((resolve) => {
    if (!channel.connected || !channel.send) return resolve();
    channel.send(message, undefined, undefined, () => resolve());
  });
}
