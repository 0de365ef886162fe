import {
  createCaller,
  createContext,
  type LocalAuth,
  type SessionOutput,
  type TokenVerifier,
  type UserOutput,
} from "@todo/api";
import type { Database } from "@todo/db";
import { TRPCError } from "@trpc/server";
import { Router, type Request, type RequestHandler, type Response } from "express";

import { fromProcedureError, methodNotAllowed } from "../http-errors.js";
import { logAuthRefusal } from "../logging.js";
import { bodyAsInput, jsonBody } from "./json-body.js";

// The built-in accounts over REST, as thin as the task routes: read the body,
// call the auth procedure with the request's token and address, shape the
// answer. Passwords, limits and tokens are the procedures' business.

export interface RestUser {
  id: string;
  email: string;
  name: string | null;
  created_at: string;
}

export interface RestSession {
  token: string;
  token_type: "bearer";
  expires_in: number;
  user: RestUser;
}

export function toRestUser(user: UserOutput): RestUser {
  return { id: user.id, email: user.email, name: user.name, created_at: user.createdAt };
}

export function toRestSession(session: SessionOutput): RestSession {
  return {
    token: session.token,
    token_type: session.tokenType,
    expires_in: session.expiresIn,
    user: toRestUser(session.user),
  };
}

type Caller = ReturnType<typeof createCaller>;

/**
 * `/auth/signup`, `/auth/login` and `/auth/me`. Mounted only with LOCAL_AUTH
 * on: without it these paths do not exist (404, whatever the method).
 */
export function createAuthRoutes(options: {
  db: Database;
  verifier: TokenVerifier;
  localAuth: LocalAuth;
  bodyLimitBytes: number;
}): Router {
  const { db, verifier, localAuth } = options;
  const router = Router();
  const readBody = jsonBody(options.bodyLimitBytes);

  const route = (
    handle: (caller: Caller, req: Request, res: Response) => Promise<void>,
    withBody: boolean,
  ): RequestHandler[] => {
    const serve: RequestHandler = async (req, res) => {
      const caller = createCaller(
        createContext({
          db,
          verifier,
          authorization: req.get("authorization"),
          localAuth,
          clientIp: req.ip ?? null,
        }),
      );
      await handle(caller, req, res).catch((error: unknown) => {
        if (error instanceof TRPCError) logAuthRefusal(req.log, error, { ip: req.ip });
        throw fromProcedureError(error, "body", req.body);
      });
    };
    return withBody ? [...readBody, serve] : [serve];
  };

  const issueSession = (status: number, session: SessionOutput, res: Response) => {
    res.req.userId = session.user.id;
    // A token must not be kept by any cache (RFC 6749, 5.1).
    res.status(status).set("Cache-Control", "no-store").json(toRestSession(session));
  };

  router
    .route("/auth/signup")
    .post(
      ...route(async (caller, req, res) => {
        issueSession(201, await caller.auth.signup(bodyAsInput(req.body) as never), res);
      }, true),
    )
    .all(() => {
      throw methodNotAllowed(["POST"]);
    });

  router
    .route("/auth/login")
    .post(
      ...route(async (caller, req, res) => {
        issueSession(200, await caller.auth.login(bodyAsInput(req.body) as never), res);
      }, true),
    )
    .all(() => {
      throw methodNotAllowed(["POST"]);
    });

  router
    .route("/auth/me")
    .get(
      ...route(async (caller, _req, res) => {
        const user = await caller.auth.me();
        res.req.userId = user.id;
        res.set("Cache-Control", "no-store").json(toRestUser(user));
      }, false),
    )
    .all(() => {
      throw methodNotAllowed(["GET"]);
    });

  return router;
}
