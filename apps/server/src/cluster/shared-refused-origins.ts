import { oncePerOrigin } from "../refused-origins.js";
import type { MessageChannel } from "./shared-rate-limits.js";

// A refused CORS origin is logged once for the server, not once per worker:
// each worker tells the primary of an origin the first time it refuses it,
// and the primary, which sees every worker's, logs it the first time.

interface RefusedOriginMessage {
  type: "cors:refused";
  origin: string;
}

const isRefusedOrigin = (message: unknown): message is RefusedOriginMessage =>
  (message as RefusedOriginMessage | null)?.type === "cors:refused";

/** In a worker: what to do with a refused origin (tell the primary, once per origin). */
export function reportRefusedOriginsTo(
  channel: Pick<NodeJS.Process, "send" | "connected">,
): (origin: string) => void {
  return oncePerOrigin((origin) => {
    const message: RefusedOriginMessage = { type: "cors:refused", origin };
    if (channel.connected) channel.send?.(message);
  });
}

/** In the primary: passes each origin a worker refused to `log` (itself once per origin). */
export function logRefusedOriginsOf(worker: MessageChannel, log: (origin: string) => void): void {
  worker.on("message", (message) => {
    if (isRefusedOrigin(message)) log(message.origin);
  });
}
