import {
  createTask,
  deleteTask,
  findTask,
  listTasks,
  setTaskCompleted,
  toggleTaskCompleted,
  updateTask,
  type TaskRecord,
} from "@todo/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";

import { protectedProcedure } from "../trpc.js";
import {
  createTaskInput,
  listTasksInput,
  setCompletedInput,
  statusFilter,
  taskByIdInput,
  updateTaskInput,
  type DeleteTaskOutput,
  type TaskListOutput,
  type TaskOutput,
} from "./task.schemas.js";

// Outputs are typed by the output schemas (taskOutput, taskListOutput, …:
// what the OpenAPI document shows) but not parsed again at run time: every
// task is built field by field in toTaskOutput, and re-validating a page of
// 1,000 tasks on every call was a tenth of the list's CPU time. The router
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
  if (!task) throw new TRPCError({ code: "NOT_FOUND", message: "Task not found" });
  return toTaskOutput(task);
}

export const taskRouter = {
  list: protectedProcedure
    .input(listTasksInput.optional())
    .query(async ({ ctx, input }): Promise<TaskListOutput> => {
      const filters = input && { ...input, status: statusFilter(input) };
      const page = await listTasks(ctx.db, ctx.userId, filters);
      return { items: page.items.map(toTaskOutput), total: page.total };
    }),

  byId: protectedProcedure
    .input(taskByIdInput)
    .query(async ({ ctx, input }) => found(await findTask(ctx.db, ctx.userId, input.id))),

  create: protectedProcedure
    .input(createTaskInput)
    .mutation(async ({ ctx, input }) => toTaskOutput(await createTask(ctx.db, ctx.userId, input))),

  update: protectedProcedure
    .input(updateTaskInput)
    .mutation(async ({ ctx, input: { id, ...changes } }) =>
      found(await updateTask(ctx.db, ctx.userId, id, changes)),
    ),

  setCompleted: protectedProcedure
    .input(setCompletedInput)
    .mutation(async ({ ctx, input }) =>
      found(await setTaskCompleted(ctx.db, ctx.userId, input.id, input.completed)),
    ),

  toggleComplete: protectedProcedure
    .input(taskByIdInput)
    .mutation(async ({ ctx, input }) =>
      found(await toggleTaskCompleted(ctx.db, ctx.userId, input.id)),
    ),

  delete: protectedProcedure
    .input(taskByIdInput)
    .mutation(async ({ ctx, input }): Promise<DeleteTaskOutput> => {
      if (!(await deleteTask(ctx.db, ctx.userId, input.id))) {
        throw new TRPCError({ code: "NOT_FOUND", message: "Task not found" });
      }
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
