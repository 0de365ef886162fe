import {
  createTask,
  deleteTask,
  findTask,
  listTasks,
  setTaskCompleted,
  toggleTaskCompleted,
  updateTask,
  type Task,
} from "@todo/db";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";

import { protectedProcedure } from "../trpc.js";
import {
  createTaskInput,
  deleteTaskOutput,
  listTasksInput,
  setCompletedInput,
  taskByIdInput,
  taskListOutput,
  taskOutput,
  updateTaskInput,
  type TaskOutput,
} from "./task.schemas.js";

export function toTaskOutput(task: Task): TaskOutput {
  return {
    id: task.id,
    userId: task.userId,
    title: task.title,
    description: task.description,
    completed: task.completed,
    priority: task.priority,
    dueDate: task.dueDate?.toISOString() ?? null,
    tags: task.tags ?? [],
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
}

/**
 * A missing task, a malformed id and another user's task get the same
 * answer, so nobody can learn which ids exist.
 */
function found(task: Task | null): TaskOutput {
  if (!task) throw new TRPCError({ code: "NOT_FOUND", message: "Task not found" });
  return toTaskOutput(task);
}

export const taskRouter = {
  list: protectedProcedure
    .input(listTasksInput.optional())
    .output(taskListOutput)
    .query(async ({ ctx, input }) => {
      const page = await listTasks(ctx.db, ctx.userId, input);
      return { items: page.items.map(toTaskOutput), total: page.total };
    }),

  byId: protectedProcedure
    .input(taskByIdInput)
    .output(taskOutput)
    .query(async ({ ctx, input }) => found(await findTask(ctx.db, ctx.userId, input.id))),

  create: protectedProcedure
    .input(createTaskInput)
    .output(taskOutput)
    .mutation(async ({ ctx, input }) => toTaskOutput(await createTask(ctx.db, ctx.userId, input))),

  update: protectedProcedure
    .input(updateTaskInput)
    .output(taskOutput)
    .mutation(async ({ ctx, input: { id, ...changes } }) =>
      found(await updateTask(ctx.db, ctx.userId, id, changes)),
    ),

  setCompleted: protectedProcedure
    .input(setCompletedInput)
    .output(taskOutput)
    .mutation(async ({ ctx, input }) =>
      found(await setTaskCompleted(ctx.db, ctx.userId, input.id, input.completed)),
    ),

  toggleComplete: protectedProcedure
    .input(taskByIdInput)
    .output(taskOutput)
    .mutation(async ({ ctx, input }) =>
      found(await toggleTaskCompleted(ctx.db, ctx.userId, input.id)),
    ),

  delete: protectedProcedure
    .input(taskByIdInput)
    .output(deleteTaskOutput)
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteTask(ctx.db, ctx.userId, input.id))) {
        throw new TRPCError({ code: "NOT_FOUND", message: "Task not found" });
      }
      return { id: input.id };
    }),
} satisfies TRPCRouterRecord;
