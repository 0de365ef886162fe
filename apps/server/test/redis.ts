import { randomBytes } from "node:crypto";
import { connect } from "node:net";

// Just enough of a Redis client for the tests to look at and clean up their
// keys (the server's own client lives in @todo/api).

/** The Redis the tests use: TEST_REDIS_URL, else the one on this machine. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test (or test run) uses. */
export function uniquePrefix(label: string): string {
  return `todo-test:${label}:${randomBytes(6).toString("hex")}:`;
}

type Reply = string | number | null | Reply[];

/** Sends one command and reads its reply (RESP2: simple, error, integer, bulk, array). */
export function redisCommand(...args: string[]): Promise<Reply> {
  const url = new URL(TEST_REDIS_URL);
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port || 6379), url.hostname);
    let buffer = Buffer.alloc(0);
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseReply(buffer, 0);
      if (!parsed) return;
      socket.end();
      if (parsed.error) reject(new Error(parsed.error));
      else resolve(parsed.value);
    });
    socket.write(request);
  });
}

interface Parsed {
  value: Reply;
  end: number;
  error?: string;
}

function parseReply(buffer: Buffer, start: number): Parsed | undefined {
  const lineEnd = buffer.indexOf("\r\n", start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start]!);
  const line = buffer.toString("utf8", start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, end: next };
    case "-":
      return { value: null, end: next, error: line };
    case ":":
      return { value: Number(line), end: next };
    case "$": {
      const length = Number(line);
      if (length === -1) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString("utf8", next, next + length), end: next + length + 2 };
    }
    case "*": {
      const items: Reply[] = [];
      let position = next;
      for (let i = 0; i < Number(line); i++) {
        const item = parseReply(buffer, position);
        if (!item) return undefined;
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    default:
      throw new Error(`unexpected Redis reply type ${type}`);
  }
}

export async function keysUnder(prefix: string): Promise<string[]> {
  return (await redisCommand("KEYS", `${prefix}*`)) as string[];
}

/** Deletes every key under the prefix. */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length > 0) await redisCommand("DEL", ...keys);
}
