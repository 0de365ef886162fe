import {
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  transformTRPCResponse,
  TRPCError,
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
} from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import type { NodeHTTPHandlerOptions } from "@trpc/server/adapters/node-http";
import { getHTTPStatusCode, type TRPCRequestInfo } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";
import type { Request, RequestHandler, Response } from "express";

// tRPC's HTTP protocol for what its clients send nearly always — GET queries
// and POST mutations with JSON, one call or a batch — answered straight from
// Node's request and response. tRPC's own adapter turns every request into a
// WHATWG Request, runs it through AbortSignals and streams, and pipes a
// Response back: under load that was half of a `task.list`'s CPU time.
//
// The protocol is tRPC's `resolveResponse` (same checks, messages, statuses,
// headers and bodies); every other request — HEAD, streaming
// (`trpc-accept: application/jsonl`), form data, subscriptions, a batch that
// mixes queries and mutations, connection params, an undecodable path, an
// oversized Content-Length — is handed to tRPC's adapter as it is.
// trpc-http-parity.test.ts sends the same requests to both and compares.

type Options<TRouter extends AnyTRPCRouter> = NodeHTTPHandlerOptions<TRouter, Request, Response> & {
  maxBodySize: number;
};

/** What a procedure is called with (tRPC's `ProcedureCallOptions`). */
type Invoke = (opts: {
  path: string;
  type: "query" | "mutation";
  ctx: unknown;
  getRawInput: () => Promise<unknown>;
  signal: AbortSignal;
  batchIndex: number;
}) => Promise<unknown>;

const METHOD_OF = { query: "GET", mutation: "POST" } as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && !Array.isArray(value) && typeof value === "object";

/** The media type alone, lower-cased, as tRPC compares it. */
function mediaType(req: Request): string | undefined {
  return req.headers["content-type"]?.split(";", 1)[0]?.trim().toLowerCase();
}

/** Whether the request is one this handler answers itself. */
function isPlainRequest(req: Request, maxBodySize: number): boolean {
  const { headers } = req;
  if (headers["trpc-accept"] !== undefined || headers.accept?.includes("application/jsonl")) {
    return false;
  }
  if (req.method === "GET") {
    const type = mediaType(req);
    return type === undefined || type === "application/json";
  }
  if (req.method !== "POST" || mediaType(req) !== "application/json") return false;
  const length = headers["content-length"];
  return length === undefined || Number(length) <= maxBodySize;
}

function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** Reads a request body as text; past `limit` bytes, tRPC's PAYLOAD_TOO_LARGE. */
function readBody(req: Request, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size > limit) return; // the rest is read and dropped, as tRPC's adapter does
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else reject(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
    });
    req.on("end", () => {
      // As WHATWG `Request.text()`: UTF-8, without a byte order mark.
      const text = Buffer.concat(chunks).toString("utf8");
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
    req.on("error", reject);
  });
}

/** How a request's inputs are read: once, on the first call's demand. */
function inputReader(
  read: () => Promise<string | null>,
  isBatchCall: boolean,
  callCount: number,
  deserialize: (value: unknown) => unknown,
): { read: (index: number) => Promise<unknown>; result: (index: number) => unknown } {
  let inputs: unknown[] | undefined;
  let reading: Promise<unknown[]> | undefined;
  const parse = async (): Promise<unknown[]> => {
    const text = await read();
    const parsed: unknown[] = [];
    if (!text) return parsed;
    const raw: unknown = JSON.parse(text);
    if (!isBatchCall) {
      parsed[0] = deserialize(raw);
      return parsed;
    }
    if (!isObject(raw)) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    for (let index = 0; index < callCount; index++) {
      const value = raw[index];
      if (value !== undefined) parsed[index] = deserialize(value);
    }
    return parsed;
  };
  return {
    read: async (index) => {
      if (inputs === undefined) {
        reading ??= parse().catch((cause: unknown) => {
          if (cause instanceof TRPCError) throw cause;
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: cause instanceof Error ? cause.message : "Invalid input",
            cause,
          });
        });
        inputs = await reading;
      }
      return inputs[index];
    },
    result: (index) => inputs?.[index],
  };
}

/**
 * An Express handler for a tRPC router. It takes the options of tRPC's
 * `createExpressMiddleware`, and hands that adapter what it leaves.
 */
export function createTrpcHandler<TRouter extends AnyTRPCRouter>(
  options: Options<TRouter>,
): RequestHandler {
  const official = createExpressMiddleware(options);
  const { router, maxBodySize } = options;
  const config = router._def._config;
  const separator: string = config.pathSeparator ?? ".";
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
  // Options this handler does not implement leave everything to the adapter.
  const leanPath =
    Object.keys(router._def.lazy ?? {}).length === 0 &&
    options.allowBatching !== false &&
    options.allowMethodOverride !== true &&
    options.maxBatchSize === undefined &&
    options.middleware === undefined;

  /** The procedures a request calls, or undefined when tRPC's adapter should take it. */
  function plan(req: Request) {
    const lastSegment = req.path.slice(req.path.lastIndexOf("/") + 1);
    const decoded = decodePath(lastSegment);
    if (decoded === undefined) return undefined;
    const question = req.url.indexOf("?");
    const search = new URLSearchParams(question === -1 ? "" : req.url.slice(question + 1));
    if (search.has("connectionParams")) return undefined;
    const isBatchCall = search.get("batch") === "1";
    const path = separator === "." ? decoded : decoded.split(separator).join(".");
    const paths = isBatchCall ? path.split(",") : [path];
    const called = paths.map((callPath) => procedures[callPath]);
    const types = new Set(called.map((procedure) => procedure?._def.type).filter(Boolean));
    if (types.size > 1 || types.has("subscription")) return undefined;
    const type = (types.values().next().value ?? "unknown") as "query" | "mutation" | "unknown";
    return { search, isBatchCall, paths, called, type };
  }

  async function handle(
    req: Request,
    res: Response,
    planned: NonNullable<ReturnType<typeof plan>>,
  ) {
    const { search, isBatchCall, paths, called, type } = planned;
    const aborted = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) aborted.abort();
    };
    res.once("close", onClose);

    const inputs = inputReader(
      () =>
        req.method === "GET" ? Promise.resolve(search.get("input")) : readBody(req, maxBodySize),
      isBatchCall,
      paths.length,
      (value) => config.transformer.input.deserialize(value),
    );
    const calls = paths.map((path, index) => ({
      path,
      procedure: called[index] ?? null,
      batchIndex: index,
      getRawInput: () => inputs.read(index),
      result: () => inputs.result(index),
    }));
    const info: TRPCRequestInfo = {
      isBatchCall,
      accept: null,
      calls,
      type,
      connectionParams: null,
      signal: aborted.signal,
      url: null,
    };

    let ctx: unknown;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await options.createContext?.({ req, res, info });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }

    const headers: Record<string, string> = {
      vary: "trpc-accept, accept",
      "content-type": "application/json",
    };
    const results: TRPCResponse[] = [];
    const errors = await Promise.all(
      calls.map(async (call): Promise<TRPCError | undefined> => {
        try {
          if (!call.procedure) {
            throw new TRPCError({
              code: "NOT_FOUND",
              message: `No procedure found on path "${call.path}"`,
            });
          }
          const procedureType = call.procedure._def.type as "query" | "mutation";
          if (METHOD_OF[procedureType] !== req.method) {
            headers.allow = METHOD_OF[procedureType];
            throw new TRPCError({
              code: "METHOD_NOT_SUPPORTED",
              message: `Unsupported ${req.method}-request to ${procedureType} procedure at path "${call.path}"`,
            });
          }
          if (ctxError) throw ctxError;
          results[call.batchIndex] = {
            result: {
              data: await (call.procedure as unknown as Invoke)({
                path: call.path,
                type: procedureType,
                ctx,
                getRawInput: call.getRawInput,
                signal: aborted.signal,
                batchIndex: call.batchIndex,
              }),
            },
          };
          return undefined;
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          const failure = {
            error,
            path: call.path,
            input: call.result(),
            ctx: ctxError ? undefined : (ctx as never),
            type: call.procedure?._def.type ?? ("unknown" as const),
          };
          options.onError?.({ ...failure, req });
          results[call.batchIndex] = { error: getTRPCErrorShape({ config, ...failure }) };
          return error;
        }
      }),
    );

    const json = isBatchCall ? results : results[0]!;
    let status = getHTTPStatusCode(json, errors);
    const meta = options.responseMeta?.({
      ctx: ctxError ? undefined : (ctx as never),
      info,
      paths,
      type,
      data: results,
      errors: errors.filter((error) => error !== undefined),
      eagerGeneration: false,
    });
    for (const [key, value] of Object.entries(meta?.headers ?? {})) {
      const name = key.toLowerCase();
      if (Array.isArray(value))
        headers[name] = [headers[name], ...value].filter(Boolean).join(", ");
      else if (typeof value === "string") headers[name] = value;
    }
    if (meta?.status) status = meta.status;

    const body = JSON.stringify(transformTRPCResponse(config, json));
    res.off("close", onClose);
    res.statusCode = status;
    for (const name in headers) res.setHeader(name, headers[name]!);
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
  }

  return (req, res, next) => {
    const planned = leanPath && isPlainRequest(req, maxBodySize) ? plan(req) : undefined;
    if (!planned) {
      official(req, res, next);
      return;
    }
    handle(req, res, planned).catch((cause: unknown) => {
      // Only a bug of this handler's own or a throwing `responseMeta` lands
      // here; tRPC's adapter answers such a throw the same way.
      const error = getTRPCErrorFromUnknown(cause);
      const failure = {
        error,
        type: "unknown" as const,
        path: undefined,
        input: undefined,
        ctx: undefined,
      };
      options.onError?.({ ...failure, req });
      if (res.headersSent) {
        res.end();
        return;
      }
      const shape = getTRPCErrorShape({ config, ...failure });
      res.statusCode = shape.data.httpStatus;
      res.end(JSON.stringify(transformTRPCResponse(config, { error: shape })));
    });
  };
}
