import {
  createTask,
  deleteTask,
  findTask,
  listTasks,
  setTaskCompleted,
  toggleTaskCompleted,
  updateTask,
  type TaskRecord,
  type TaskWrite,
} from "@todo/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";

import { keyedProcedure, protectedProcedure, type Context } from "../trpc.js";
import { onceForKey } from "./idempotency.js";
import {
  createTaskWithKeyInput,
  deleteTaskInput,
  listTasksInput,
  setCompletedInput,
  statusFilter,
  taskByIdInput,
  toggleCompleteInput,
  updateTaskInput,
  type DeleteTaskOutput,
  type TaskListOutput,
  type TaskOutput,
} from "./task.schemas.js";

// Outputs are typed by the output schemas (taskOutput, taskListOutput, …:
// what the OpenAPI document shows) but not parsed again at run time: every
// task is built field by field in toTaskOutput, and re-validating a page of
// 1,000 tasks on every call cost the list dearly (bench/README.md). The router
// tests parse real outputs with those schemas, so the two cannot drift.

/**
 * A task record already has the output's fields and ISO strings; only a null
 * `tags` (a row written by hand) needs filling in.
 */
export function toTaskOutput(task: TaskRecord): TaskOutput {
  return task.tags === null ? { ...task, tags: [] } : task;
}

/**
 * A missing task, a malformed id and another user's task get the same
 * answer, so nobody can learn which ids exist.
 */
function found(task: TaskRecord | null): TaskOutput {
  if (!task) throw notFound();
  return toTaskOutput(task);
}

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "Task not found" });

/** The task version a refused conditional write found (REST's 412 sends it as the ETag). */
export class VersionMismatchError extends Error {
  override name = "VersionMismatchError";
  constructor(readonly currentVersion: number) {
    super("Precondition failed");
  }
}

/** A conditional write's task, or the error that says why there is none. */
function written(write: TaskWrite): TaskOutput {
  switch (write.kind) {
    default:
      return write satisfies never;
    case "written":
      return toTaskOutput(write.task);
    case "missing":
      throw notFound();
    case "version-mismatch":
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: "Precondition failed",
        cause: new VersionMismatchError(write.version),
      });
  }
}

/** NOT_FOUND unless the user's task `id` exists (what comes before a CONFLICT). */
const taskExists = (ctx: { db: Context["db"]; userId: string }, id: string) => async () => {
  found(await findTask(ctx.db.tasks, ctx.userId, id));
};

/** `expectedVersion` as the list of versions a write may apply to. */
const versions = (expected: number | number[] | undefined) =>
  expected === undefined ? undefined : Array.isArray(expected) ? expected : [expected];

export const taskRouter = {
  list: protectedProcedure
    .input(listTasksInput.optional())
    .query(async ({ ctx, input }): Promise<TaskListOutput> => {
      const filters = input && { ...input, status: statusFilter(input) };
      const page = await listTasks(ctx.db.tasks, ctx.userId, filters);
      return { items: page.items.map(toTaskOutput), total: page.total };
    }),

  byId: protectedProcedure
    .input(taskByIdInput)
    .query(async ({ ctx, input }) => found(await findTask(ctx.db.tasks, ctx.userId, input.id))),

  create: keyedProcedure
    .input(createTaskWithKeyInput)
    .mutation(({ ctx, input: { idempotencyKey, ...task } }) =>
      onceForKey(ctx, { key: idempotencyKey }, async (store) =>
        toTaskOutput(await createTask(store, ctx.userId, task)),
      ),
    ),

  update: protectedProcedure
    .input(updateTaskInput)
    .mutation(async ({ ctx, input: { id, expectedVersion, ...changes } }) =>
      written(await updateTask(ctx.db.tasks, ctx.userId, id, changes, versions(expectedVersion))),
    ),

  setCompleted: keyedProcedure
    .input(setCompletedInput)
    .mutation(({ ctx, input: { idempotencyKey, ...input } }) =>
      onceForKey(
        ctx,
        { key: idempotencyKey, checkBeforeConflict: taskExists(ctx, input.id) },
        async (store) =>
          written(
            await setTaskCompleted(
              store,
              ctx.userId,
              input.id,
              input.completed,
              versions(input.expectedVersion),
            ),
          ),
      ),
    ),

  toggleComplete: keyedProcedure
    .input(toggleCompleteInput)
    .mutation(({ ctx, input: { idempotencyKey, ...input } }) =>
      onceForKey(
        ctx,
        { key: idempotencyKey, checkBeforeConflict: taskExists(ctx, input.id) },
        async (store) =>
          written(
            await toggleTaskCompleted(store, ctx.userId, input.id, versions(input.expectedVersion)),
          ),
      ),
    ),

  delete: protectedProcedure
    .input(deleteTaskInput)
    .mutation(async ({ ctx, input }): Promise<DeleteTaskOutput> => {
      const result = await deleteTask(
        ctx.db.tasks,
        ctx.userId,
        input.id,
        versions(input.expectedVersion),
      );
      if (result.kind !== "deleted") written(result);
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
