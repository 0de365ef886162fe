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
import { getHTTPStatusCode, type ResponseMeta, type TRPCRequestInfo } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY, type TRPCResponse } from "@trpc/server/rpc";
import type { Request, RequestHandler, Response } from "express";

import { endWithInternalError } from "./http-errors.js";

// tRPC's HTTP protocol for what its clients send nearly always — GET queries
// and POST mutations with JSON, one call or a batch (httpLink,
// httpBatchLink) — answered straight from Node's request and response.
//
// Why it exists: tRPC's Express adapter turns every request into a WHATWG
// Request, runs it through AbortSignals and web streams, and pipes a Response
// back. Measured with `pnpm bench` on Node 24, that kept `GET
// /trpc/task.list` below the 0.6× of the baseline's REST list that issue #12
// sets for the adapter as shipped, and this handler takes a large share of
// each call's CPU time off (figures: bench/README.md).
//
// What it answers is tRPC's `resolveResponse`: the same checks in the same
// order, messages, statuses, headers (responseMeta included) and bodies, and
// the same calls to onError; createContext gets the request, the response
// and tRPC's request info, as its type promises. Everything else goes to tRPC's
// adapter as it is: HEAD, streaming (`trpc-accept: application/jsonl`), form
// data and octet streams, subscriptions, a batch mixing queries and
// mutations, connection params, a path that does not decode, a URL that does
// not parse, a POST whose body body-parser did not read as JSON text, and
// every request when the options ask for something this handler does not do
// (lazy routers, maxBatchSize, method override, batching off, a middleware).
//
// This is the one module that uses tRPC's internals: the router's `_def`,
// calling a procedure directly, and the pieces tRPC's adapters are built
// from (error shapes, `transformTRPCResponse`, `getHTTPStatusCode`). They may
// change in any release, so every @trpc/* package is pinned to one exact
// version (11.22.1, in pnpm-workspace.yaml's catalog), and
// test/trpc-lean-parity.test.ts, which sends every kind of request to this
// handler and to tRPC's adapter in the same app and requires the same status,
// headers and body, is the gate for any @trpc upgrade.

type Options<TRouter extends AnyTRPCRouter> = NodeHTTPHandlerOptions<TRouter, Request, Response>;

type CallType = "query" | "mutation";

/** How tRPC's `resolveResponse` calls a procedure (its `ProcedureCallOptions`). */
type Invoke = (opts: {
  path: string;
  type: CallType;
  ctx: unknown;
  getRawInput: () => Promise<unknown>;
  signal: AbortSignal;
  batchIndex: number;
}) => Promise<unknown>;

/** A call's outcome: its error, or its data. */
type Outcome = [TRPCError, undefined] | [undefined, unknown];

const METHOD_OF = { query: "GET", mutation: "POST" } as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && !Array.isArray(value) && typeof value === "object";

const isAsyncIterable = (value: unknown): boolean =>
  isObject(value) && Symbol.asyncIterator in value;

const isPromise = (value: unknown): boolean =>
  (isObject(value) || typeof value === "function") &&
  typeof (value as { then?: unknown }).then === "function" &&
  typeof (value as { catch?: unknown }).catch === "function";

/** Data only tRPC's streaming links can carry: non-streaming calls refuse it. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

/** The media type alone, lower-cased, as tRPC compares it. */
function mediaType(req: Request): string | undefined {
  return req.headers["content-type"]?.toLowerCase().split(";", 1)[0]?.trim();
}

/** The request's URL as tRPC's adapter builds it, or undefined where it fails. */
function requestUrl(req: Request): URL | undefined {
  const encrypted = !!(req.socket as { encrypted?: boolean } | undefined)?.encrypted;
  const protocol = req.headers[":scheme"] === "https" || encrypted ? "https:" : "http:";
  const host = req.headers.host ?? (req.headers[":authority"] as string | undefined) ?? "localhost";
  try {
    return new URL(req.url, `${protocol}//${host}`);
  } catch {
    return undefined;
  }
}

function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** What a request this handler answers calls. */
interface Plan {
  url: URL;
  isBatchCall: boolean;
  paths: string[];
  procedures: Array<AnyTRPCProcedure | null>;
  type: CallType | "unknown";
  /** The input's JSON text: the POST body, or the GET's `input` parameter. */
  inputText: string | null;
}

/**
 * The inputs of a request's calls, parsed on the first call's demand, as
 * tRPC's JSON content handler does (the same errors and messages).
 */
function inputReader(
  plan: Plan,
  isPost: boolean,
  deserialize: (value: unknown) => unknown,
): { read: (index: number) => Promise<unknown>; result: (index: number) => unknown } {
  let inputs: unknown[] | undefined;
  let failure: TRPCError | undefined;
  const parse = (): unknown[] => {
    const parsed: unknown[] = [];
    let text = plan.inputText;
    // A GET's empty `input` is no input; a POST's body is always parsed.
    if (!isPost && !text) return parsed;
    // WHATWG `Request.json()`, which tRPC's adapter parses with, drops a
    // byte order mark at the start: one more than body-parser drops.
    if (text?.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const raw: unknown = JSON.parse(text ?? "");
    if (!plan.isBatchCall) {
      parsed[0] = deserialize(raw);
      return parsed;
    }
    if (!isObject(raw)) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: '"input" needs to be an object when doing a batch call',
      });
    }
    for (let index = 0; index < plan.paths.length; index++) {
      const value = raw[index];
      if (value !== undefined) parsed[index] = deserialize(value);
    }
    return parsed;
  };
  return {
    read: async (index) => {
      if (failure) throw failure;
      try {
        inputs ??= parse();
      } catch (cause) {
        failure =
          cause instanceof TRPCError
            ? cause
            : new TRPCError({
                code: "BAD_REQUEST",
                message: cause instanceof Error ? cause.message : "Invalid input",
                cause,
              });
        throw failure;
      }
      return inputs[index];
    },
    result: (index) => inputs?.[index],
  };
}

/** responseMeta's headers added to the answer's, as tRPC's `resolveResponse` adds them. */
function addMetaHeaders(headers: Headers, given: ResponseMeta["headers"]): void {
  if (given instanceof Headers) {
    for (const [name, value] of given.entries()) headers.append(name, value);
    return;
  }
  for (const [name, value] of Object.entries(given ?? {})) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (typeof value === "string") headers.set(name, value);
  }
}

/** The answer's headers on Node's response, as tRPC's adapter writes them. */
function writeHeaders(res: Response, headers: Headers): void {
  for (const [name, value] of headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
}

/**
 * Every procedure of a router, by path, with its kind, as the router's
 * `_def` holds them: what the fuzz reads to call each one.
 */
export function procedureTypes(router: AnyTRPCRouter): Record<string, CallType | "subscription"> {
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure>;
  return Object.fromEntries(
    Object.entries(procedures).map(([path, procedure]) => [
      path,
      procedure._def.type as CallType | "subscription",
    ]),
  );
}

/**
 * An Express handler for a tRPC router: the options of tRPC's
 * `createExpressMiddleware`, which it hands what it does not answer itself.
 * A POST's JSON must already be read as text into `req.body`.
 */
export function createLeanTrpcMiddleware<TRouter extends AnyTRPCRouter>(
  options: Options<TRouter>,
): RequestHandler {
  const official = createExpressMiddleware(options);
  const { router } = options;
  const config = router._def._config;
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
  const implemented =
    Object.keys(router._def.lazy).length === 0 &&
    (options.allowBatching ?? options.batching?.enabled ?? true) &&
    options.allowMethodOverride !== true &&
    options.maxBatchSize === undefined &&
    options.middleware === undefined;
  if (!implemented) return official;

  /** The calls of a request this handler answers; undefined hands it to tRPC's adapter. */
  function plan(req: Request): Plan | undefined {
    const { headers } = req;
    if (headers["trpc-accept"] !== undefined || headers.accept?.includes("application/jsonl")) {
      return undefined;
    }
    const type = mediaType(req);
    if (req.method === "GET") {
      if (type !== undefined && type !== "application/json") return undefined;
    } else if (req.method !== "POST" || type !== "application/json") {
      return undefined;
    } else if (typeof req.body !== "string") {
      return undefined;
    }
    const url = requestUrl(req);
    if (!url || url.searchParams.has("connectionParams")) return undefined;
    const path = decodePath(req.path.slice(req.path.lastIndexOf("/") + 1));
    if (path === undefined) return undefined;
    const isBatchCall = url.searchParams.get("batch") === "1";
    const paths = isBatchCall ? path.split(",") : [path];
    const called = paths.map((callPath) => procedures[callPath] ?? null);
    let callType: CallType | "unknown" = "unknown";
    for (const procedure of called) {
      if (!procedure) continue;
      const procedureType = procedure._def.type as CallType | "subscription";
      if (procedureType === "subscription") return undefined;
      if (callType !== "unknown" && callType !== procedureType) return undefined;
      callType = procedureType;
    }
    return {
      url,
      isBatchCall,
      paths,
      procedures: called,
      type: callType,
      inputText: req.method === "GET" ? url.searchParams.get("input") : (req.body as string),
    };
  }

  async function answer(req: Request, res: Response, plan: Plan): Promise<void> {
    // Procedures see the request end as tRPC's adapter shows it: an abort
    // when the connection closes before the answer is written.
    const aborted = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) aborted.abort();
    };
    res.once("close", onClose);

    const inputs = inputReader(plan, req.method === "POST", (value) =>
      config.transformer.input.deserialize(value),
    );
    const info: TRPCRequestInfo = {
      accept: null,
      type: plan.type,
      isBatchCall: plan.isBatchCall,
      calls: plan.paths.map((path, index) => ({
        path,
        procedure: plan.procedures[index] ?? null,
        batchIndex: index,
        getRawInput: () => inputs.read(index),
        result: () => inputs.result(index),
      })),
      connectionParams: null,
      signal: aborted.signal,
      url: plan.url,
    };

    let ctx: unknown;
    let ctxError: TRPCError | undefined;
    try {
      ctx = await options.createContext?.({ req, res, info });
    } catch (cause) {
      ctxError = getTRPCErrorFromUnknown(cause);
    }
    const ctxOrUndefined = ctxError ? undefined : (ctx as never);

    const headers = new Headers([
      ["vary", "trpc-accept, accept"],
      ["content-type", "application/json"],
    ]);
    /** responseMeta's say on the status and headers; the status is tRPC's otherwise. */
    const meta = (
      json: TRPCResponse | TRPCResponse[],
      data: TRPCResponse[],
      errors: TRPCError[],
    ) => {
      let status = getHTTPStatusCode(json);
      const given = options.responseMeta?.({
        ctx: ctxOrUndefined,
        info,
        paths: plan.paths,
        type: plan.type,
        data: data as never,
        errors,
        eagerGeneration: false,
      });
      addMetaHeaders(headers, given?.headers);
      if (given?.status) status = given.status;
      return status;
    };
    const errorShape = (error: TRPCError, call: { path?: string; input?: unknown }, type: string) =>
      getTRPCErrorShape({
        config,
        error,
        type: type as CallType | "unknown",
        path: call.path,
        input: call.input,
        ctx: ctxOrUndefined,
      });

    const outcomes = info.calls.map(async (call): Promise<Outcome> => {
      const { procedure, path } = call;
      try {
        if (!procedure) {
          throw new TRPCError({
            code: "NOT_FOUND",
            message: `No procedure found on path "${path}"`,
          });
        }
        const type = procedure._def.type as CallType;
        if (METHOD_OF[type] !== req.method) {
          throw new TRPCError({
            code: "METHOD_NOT_SUPPORTED",
            message: `Unsupported ${req.method}-request to ${type} procedure at path "${path}"`,
          });
        }
        if (ctxError) throw ctxError;
        const invoke = procedure as unknown as Invoke;
        const data = await invoke({
          path,
          type,
          ctx,
          getRawInput: call.getRawInput,
          signal: aborted.signal,
          batchIndex: call.batchIndex,
        });
        return [undefined, data];
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        options.onError?.({
          error,
          path,
          input: call.result(),
          ctx: ctxOrUndefined,
          type: procedure?._def.type ?? "unknown",
          req,
        });
        return [error, undefined];
      }
    });

    let status: number;
    let body: string;
    try {
      if (!plan.isBatchCall) {
        const call = info.calls[0]!;
        const [error, data] = await outcomes[0]!;
        if (isDataStream(data)) throw streamRefused();
        const json: TRPCResponse = error
          ? { error: errorShape(error, { path: call.path, input: call.result() }, plan.type) }
          : { result: { data } };
        status = meta([json], [json], error ? [error] : []);
        body = JSON.stringify(transformTRPCResponse(config, json));
      } else {
        const settled = (await Promise.all(outcomes)).map(([error, data]): Outcome =>
          !error && isDataStream(data) ? [streamRefused(), undefined] : ([error, data] as Outcome),
        );
        const json = settled.map(([error, data], index): TRPCResponse => {
          const call = info.calls[index]!;
          if (!error) return { result: { data } };
          const type = call.procedure?._def.type ?? "unknown";
          return { error: errorShape(error, { path: call.path, input: call.result() }, type) };
        });
        const errors = settled.flatMap(([error]) => (error ? [error] : []));
        status = meta(json, json, errors);
        body = JSON.stringify(transformTRPCResponse(config, json));
      }
    } catch (cause) {
      // What fails after the calls (a serializer, an error formatter,
      // responseMeta, data only a stream can carry) fails the whole request.
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.({
        error,
        path: undefined,
        input: undefined,
        ctx: ctxOrUndefined,
        type: plan.type,
        req,
      });
      const json = { error: errorShape(error, {}, plan.type) };
      body = JSON.stringify(transformTRPCResponse(config, json));
      status = meta(json, [json], [error]);
    }

    res.off("close", onClose);
    if (res.statusCode === 200) res.statusCode = status;
    writeHeaders(res, headers);
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
  }

  return (req, res, next) => {
    const planned = plan(req);
    if (!planned) {
      official(req, res, next);
      return;
    }
    answer(req, res, planned).catch((cause: unknown) => {
      // A second failure while answering a failure (responseMeta throwing
      // again): tRPC's adapter ends the request the same way.
      try {
        const error = getTRPCErrorFromUnknown(cause);
        const failure = {
          error,
          type: "unknown" as const,
          path: undefined,
          input: undefined,
          ctx: undefined,
        };
        const shape = getTRPCErrorShape({ config, ...failure });
        options.onError?.({ ...failure, req });
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.statusCode = shape.data.httpStatus;
        res.end(JSON.stringify(transformTRPCResponse(config, { error: shape })));
      } catch {
        // A third (an error formatter or onError throwing): where tRPC's
        // adapter would leave the request unanswered and its promise
        // rejected, the request still ends, in tRPC's default shape.
        endWithInternalError(res, INTERNAL_ERROR_BODY, "application/json");
      }
    });
  };
}

const INTERNAL_ERROR_BODY = JSON.stringify({
  error: {
    message: "Internal server error",
    code: TRPC_ERROR_CODES_BY_KEY.INTERNAL_SERVER_ERROR,
    data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
  },
});

const streamRefused = () =>
  new TRPCError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
  });
