// Types only from @todo/api: `import type` is erased, so a browser bundle of
// this package never loads the router, Prisma or the database driver.
import type { RouterInputs, RouterOutputs } from "@todo/api";

export type { AppRouter, RouterInputs, RouterOutputs } from "@todo/api";
export { isTRPCClientError, TRPCClientError } from "@trpc/client";
export { createTaskClient, type TaskClient, type TaskClientOptions } from "./create-task-client.js";
export { isTaskClientError, type TaskClientError } from "./task-client-error.js";

/** A task as the server returns it; dates are ISO 8601 strings. */
export type Task = RouterOutputs["task"]["byId"];
/** One page of tasks and the count of all that match the filters. */
export type TaskList = RouterOutputs["task"]["list"];
export type TaskPriority = Task["priority"];
/** The input of `task.create`. */
export type NewTask = RouterInputs["task"]["create"];
/** The input of `task.update`: the id and any fields to change. */
export type TaskUpdate = RouterInputs["task"]["update"];
/** The filters, sort and page of `task.list`. */
export type TaskFilters = Exclude<RouterInputs["task"]["list"], void | undefined>;
/** What `auth.signup` and `auth.login` answer: a bearer token, its lifetime in seconds, and the account. */
export type AuthSession = RouterOutputs["auth"]["login"];
/** An account of the server's own, as `auth.me` answers it. */
export type AuthUser = RouterOutputs["auth"]["me"];
/** The input of `auth.signup`. */
export type SignupInput = RouterInputs["auth"]["signup"];
