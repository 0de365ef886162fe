import { normalizeEmail } from "@todo/db";
import { z } from "zod";

import { boundedText, storableText } from "./text.schemas.js";

// The built-in accounts' inputs and outputs, shared like the task schemas by
// tRPC, the REST adapter and the OpenAPI document.

/** The longest address SMTP can carry (RFC 5321), and the column's width. */
export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** A well-formed address, lower-cased: emails are compared without regard to case. */
export const emailInput = storableText()
  .check(z.email(), z.maxLength(EMAIL_MAX_LENGTH))
  .transform(normalizeEmail)
  .meta({ examples: ["ada@example.com"] });

/**
 * 8 to 128 characters (code points), nothing else required: length is what
 * makes a password strong, and composition rules only make people write them
 * down. 128 bounds the hashing work one request can ask for.
 */
export const newPasswordInput = boundedText({
  min: PASSWORD_MIN_LENGTH,
  max: PASSWORD_MAX_LENGTH,
  trim: false,
}).meta({ format: "password", writeOnly: true });

/**
 * At login any non-empty password up to the maximum is tried, so raising the
 * sign-up minimum one day never locks out accounts made before.
 */
export const passwordInput = boundedText({
  min: 1,
  max: PASSWORD_MAX_LENGTH,
  trim: false,
}).meta({ format: "password", writeOnly: true });

export const nameInput = boundedText({ min: 1, max: 100, trim: true }).nullable();

export const signupInput = z.object({
  email: emailInput,
  password: newPasswordInput,
  name: nameInput.optional(),
});

export const loginInput = z.object({
  email: emailInput,
  password: passwordInput,
});

export const userOutput = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

export const sessionOutput = z.object({
  token: z.string().meta({ description: "Send it as `Authorization: Bearer <token>`" }),
  tokenType: z.literal("bearer"),
  expiresIn: z.int().positive().meta({ description: "Seconds until the token expires" }),
  user: userOutput,
});

export type UserOutput = z.infer<typeof userOutput>;
export type SessionOutput = z.infer<typeof sessionOutput>;
