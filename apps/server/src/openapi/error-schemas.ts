import { z } from "zod";

// The error bodies of the contract, under the names FastAPI gives them in its
// documents, so clients generated against the FastAPI backends keep their types.

export const errorDetail = z.object({
  detail: z.string().meta({ description: "What went wrong, for a person to read" }),
});

export const validationError = z.object({
  type: z
    .string()
    .meta({ description: "Pydantic's error type, e.g. `missing`, `string_too_long`" }),
  loc: z.array(z.union([z.string(), z.int()])).meta({
    description: 'Where: `"body"`, `"query"` or `"path"`, then the field (and index)',
  }),
  msg: z.string(),
  input: z.unknown().optional().meta({ description: "The value that was refused" }),
  ctx: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "The rule's parameters, e.g. `max_length`" }),
});

export const httpValidationError = z.object({
  detail: z.array(validationError),
});
