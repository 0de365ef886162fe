import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { SessionOutput } from "../../src/index.js";
import { inMinutes, signWithSecret } from "../auth/mint-token.js";
import { openTestDatabase } from "../caller.js";
import {
  hostileString,
  hostileValue,
  plausibleText,
  shapedInput,
  unstorableString,
} from "../hostile-values.js";
import { requestCaller, testLocalAuth } from "../local-auth.js";
import { expectDocumentedCode, outcomeOf } from "../procedure-outcome.js";
import { propertyRun } from "../property-runs.js";
import { userRows } from "../rows.js";

// The contract's "Hostile input" for the built-in accounts' procedures and
// health: whatever a client sends, the answer is a session, a user, or a
// documented error (never INTERNAL_SERVER_ERROR), and a refused sign-up or
// login leaves every account as it was.

let env: Awaited<ReturnType<typeof openTestDatabase>>;
// Limits no run reaches, so the properties see what the inputs do.
const localAuth = testLocalAuth({
  rateLimits: { perIp: 1_000_000, perEmail: 1_000_000, windowSeconds: 60 },
});
const KNOWN = { email: "known-hostile@example.com", password: "correct horse battery" };
let knownToken: string;

beforeAll(async () => {
  env = await openTestDatabase();
  knownToken = (await requestCaller(env.db, localAuth).auth.signup(KNOWN)).token;
});
afterAll(() => env.close());

/** A client address as the server may read one (X-Forwarded-For included). */
const clientIp = fc.oneof(fc.ipV4(), fc.ipV6(), hostileString);
/** Addresses the schema accepts, in any letter case, and now and then the known one. */
const email = fc.oneof(
  { weight: 1, arbitrary: fc.constant(KNOWN.email) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,15}$/),
        fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
        fc.constantFrom("com", "org", "example", "Museum"),
      )
      .map(([local, domain, tld]) => `${local}@${domain}.${tld}`),
  },
);
const password = fc.oneof(
  fc.constant(KNOWN.password),
  fc.string({ unit: "grapheme", minLength: 8, maxLength: 30 }),
);

describe("whatever a client sends to the accounts' procedures", () => {
  it("auth.signup answers a session, or BAD_REQUEST / CONFLICT, and a refused one creates no account", async () => {
    const input = shapedInput(
      { email, password, name: fc.option(plausibleText(30), { nil: null }) },
      ["email", "password"],
    );
    await fc.assert(
      fc.asyncProperty(input, clientIp, async (sent, ip) => {
        const before = await userRows(env.db);
        const caller = requestCaller(env.db, localAuth, { clientIp: ip });
        const outcome = await outcomeOf(() => caller.auth.signup(sent as never));
        if (!outcome.ok) {
          expectDocumentedCode(outcome.error, ["BAD_REQUEST", "CONFLICT"]);
          expect(await userRows(env.db)).toEqual(before);
          return;
        }
        // Stored as sent: the email lower-cased, the name trimmed.
        const { user } = outcome.value as SessionOutput;
        const fields = sent as { email: string; name?: string | null };
        expect(user.email).toBe(fields.email.toLowerCase());
        expect(user.name).toBe(typeof fields.name === "string" ? fields.name.trim() : null);
        expect(await userRows(env.db)).toContainEqual(
          expect.objectContaining({ id: user.id, email: user.email, name: user.name }),
        );
      }),
      propertyRun(150),
    );
  });

  it("auth.login answers a session, or BAD_REQUEST / UNAUTHORIZED, and changes no account when refused", async () => {
    const input = shapedInput({ email, password }, ["email", "password"]);
    await fc.assert(
      fc.asyncProperty(input, clientIp, async (sent, ip) => {
        const before = await userRows(env.db);
        const caller = requestCaller(env.db, localAuth, { clientIp: ip });
        const outcome = await outcomeOf(() => caller.auth.login(sent as never));
        if (outcome.ok) {
          // The known account, or one an earlier sign-up case created.
          const { email: sentEmail } = sent as { email: string };
          expect((outcome.value as SessionOutput).user.email).toBe(sentEmail.toLowerCase());
          return;
        }
        expectDocumentedCode(outcome.error, ["BAD_REQUEST", "UNAUTHORIZED"]);
        if (outcome.error.code === "UNAUTHORIZED") {
          expect(outcome.error.message).toBe("Invalid email or password");
        }
        expect(await userRows(env.db)).toEqual(before);
      }),
      propertyRun(150),
    );
  });

  it("auth.me answers the user, or UNAUTHORIZED / NOT_FOUND, whatever the Authorization header", async () => {
    // A header as sent, or a validly signed token carrying any `sub`.
    const header = fc.oneof(
      fc.record({ sent: hostileString }),
      fc.record({ sent: hostileString.map((token) => `Bearer ${token}`) }),
      fc.record({ sent: fc.constant(`Bearer ${"known token"}`) }),
      fc.record({ signedSub: fc.oneof(hostileString, unstorableString, hostileValue) }),
    );
    await fc.assert(
      fc.asyncProperty(header, async (sent) => {
        const authorization =
          "signedSub" in sent
            ? `Bearer ${await signWithSecret({ sub: sent.signedSub, exp: inMinutes(5) } as never)}`
            : sent.sent.replace("known token", knownToken);
        const caller = requestCaller(env.db, localAuth, { authorization });
        const outcome = await outcomeOf(() => caller.auth.me());
        if (outcome.ok) expect(outcome.value).toMatchObject({ email: KNOWN.email });
        else expectDocumentedCode(outcome.error, ["UNAUTHORIZED", "NOT_FOUND"]);
      }),
      propertyRun(200),
    );
  });

  it("health answers ok, whatever input it is given", async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue, async (input) => {
        const health = requestCaller(env.db, localAuth).health as (
          input: unknown,
        ) => Promise<unknown>;
        expect(await health(input)).toEqual({ status: "ok", database: "ok" });
      }),
      propertyRun(50),
    );
  });
});
