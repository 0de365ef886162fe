import {
  detailResponse,
  errorResponses,
  wwwAuthenticateHeader,
  type ErrorStatus,
} from "./error-responses.js";
import { jsonBody, jsonContent } from "./json-content.js";
import { componentRef } from "./rest-json-schema.js";
import type { Operation, PathItem } from "./types.js";

// The built-in accounts' routes (LOCAL_AUTH). Their schemas are the auth
// procedures' (Signup, Login, Session, User components).

const BODY_ERRORS: ErrorStatus[] = [400, 413, 415, 422, 429, 503];

const sessionResponse = (description: string) => ({
  description,
  headers: {
    "Cache-Control": {
      description: "`no-store`: the token must not be cached",
      schema: { type: "string" as const },
    },
  },
  content: jsonContent(componentRef("Session")),
});

function signupOperation(): Operation {
  return {
    operationId: "signup",
    summary: "Create an account and get a token",
    description:
      "The email is stored lower-cased; one that is registered already, in any letter case, " +
      "answers 409. The password is 8 to 128 characters. Rate-limited per address and per email.",
    tags: ["auth"],
    security: [],
    requestBody: jsonBody("Signup", { required: true }),
    responses: {
      "201": sessionResponse("Created; the token is for the new account"),
      ...errorResponses([...BODY_ERRORS, 409]),
    },
  };
}

function loginOperation(): Operation {
  return {
    operationId: "login",
    summary: "Log in and get a token",
    description:
      "A wrong password and an unknown email get the same 401, in about the same time. " +
      "Rate-limited per address and per email.",
    tags: ["auth"],
    security: [],
    requestBody: jsonBody("Login", { required: true }),
    responses: {
      "200": sessionResponse("The token"),
      ...errorResponses([...BODY_ERRORS, 401], {
        401: detailResponse(
          "The email has no account or the password is wrong (the same answer for both)",
          "Invalid email or password",
          wwwAuthenticateHeader(),
        ),
      }),
    },
  };
}

function meOperation(): Operation {
  return {
    operationId: "getCurrentUser",
    summary: "The account the token belongs to",
    tags: ["auth"],
    security: [{ bearerAuth: [] }],
    responses: {
      "200": { description: "The account", content: jsonContent(componentRef("User")) },
      ...errorResponses([401, 404, 503], {
        404: detailResponse(
          "The token is valid but its user has no account here (e.g. a Better Auth user)",
          "User not found",
        ),
      }),
    },
  };
}

export function authPaths(): Record<string, PathItem> {
  return {
    "/auth/signup": { post: signupOperation() },
    "/auth/login": { post: loginOperation() },
    "/auth/me": { get: meOperation() },
  };
}
