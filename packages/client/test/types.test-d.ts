import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";

import {
  createTaskClient,
  type AuthSession,
  type AuthUser,
  type SignupInput,
  isTaskClientError,
  type TaskClientError,
  type NewTask,
  type Task,
  type TaskFilters,
  type TaskList,
} from "../src/index.js";

// Never run: tsc checks these calls, and an unused @ts-expect-error is an error.
const client = createTaskClient({ url: "http://localhost:8000/trpc", getToken: () => null });

describe("task.create", () => {
  it("rejects a title that is not a string", () => {
    // @ts-expect-error title is a string
    void client.task.create.mutate({ title: 1 });
  });

  it("requires a title", () => {
    // @ts-expect-error title is required
    void client.task.create.mutate({ priority: "high" });
  });

  it("takes the optional fields, priority one of low/medium/high", () => {
    expectTypeOf(client.task.create.mutate).parameter(0).toEqualTypeOf<NewTask>();
    expectTypeOf<NewTask>().toExtend<{
      title: string;
      description?: string | null;
      completed?: boolean;
      priority?: "low" | "medium" | "high";
      dueDate?: string | null;
      tags?: string[];
    }>();
    // @ts-expect-error "urgent" is not a priority
    void client.task.create.mutate({ title: "t", priority: "urgent" });
  });
});

describe("task.byId", () => {
  it("requires { id: string }", () => {
    expectTypeOf(client.task.byId.query).parameter(0).toEqualTypeOf<{ id: string }>();
    // @ts-expect-error the input is required
    void client.task.byId.query();
    // @ts-expect-error id is a string
    void client.task.byId.query({ id: 1 });
  });

  it("returns a task with ISO string dates and a priority union", () => {
    expectTypeOf(client.task.byId.query).returns.resolves.toEqualTypeOf<Task>();
    expectTypeOf<Task>().toEqualTypeOf<{
      id: string;
      userId: string;
      title: string;
      description: string | null;
      completed: boolean;
      priority: "low" | "medium" | "high";
      dueDate: string | null;
      tags: string[];
      createdAt: string;
      updatedAt: string;
      version: number;
    }>();
  });
});

describe("task.list", () => {
  it("takes optional filters and returns { items, total }", () => {
    expectTypeOf(client.task.list.query)
      .parameter(0)
      .toEqualTypeOf<TaskFilters | void | undefined>();
    expectTypeOf<TaskFilters["status"]>().toEqualTypeOf<
      "all" | "pending" | "completed" | undefined
    >();
    expectTypeOf(client.task.list.query).returns.resolves.toEqualTypeOf<TaskList>();
    expectTypeOf<TaskList>().toEqualTypeOf<{ items: Task[]; total: number }>();
    // @ts-expect-error "done" is not a status
    void client.task.list.query({ status: "done" });
  });
});

describe("mutations", () => {
  it("need an id, and setCompleted a boolean", () => {
    expectTypeOf(client.task.update.mutate).returns.resolves.toEqualTypeOf<Task>();
    expectTypeOf(client.task.toggleComplete.mutate).parameter(0).toEqualTypeOf<{
      id: string;
      expectedVersion?: number | number[] | undefined;
      idempotencyKey?: string | undefined;
    }>();
    expectTypeOf(client.task.delete.mutate).returns.resolves.toEqualTypeOf<{ id: string }>();
    // @ts-expect-error update needs the id
    void client.task.update.mutate({ title: "t" });
    // @ts-expect-error completed is required
    void client.task.setCompleted.mutate({ id: "x" });
    // @ts-expect-error a version is a number
    void client.task.update.mutate({ id: "x", expectedVersion: "3" });
  });
});

describe("the router", () => {
  it("has no procedure the server does not", () => {
    // @ts-expect-error there is no task.archive
    void client.task.archive.mutate({ id: "x" });
    // @ts-expect-error queries are not mutations
    void client.task.list.mutate();
  });

  it("has no user id input: the user comes from the token", () => {
    // @ts-expect-error userId is not an input
    void client.task.create.mutate({ title: "t", userId: "someone-else" });
  });

  it("health answers the state of the server and its database", () => {
    expectTypeOf(client.health.query).returns.resolves.toEqualTypeOf<{
      status: "ok" | "unavailable";
      database: "ok" | "unavailable";
    }>();
  });
});

describe("auth", () => {
  it("signup and login are mutations answering a bearer token and the account", () => {
    expectTypeOf(client.auth.login.mutate).returns.resolves.toEqualTypeOf<AuthSession>();
    expectTypeOf(client.auth.signup.mutate).parameter(0).toEqualTypeOf<SignupInput>();
    expectTypeOf<AuthSession>().toEqualTypeOf<{
      token: string;
      tokenType: "bearer";
      expiresIn: number;
      user: AuthUser;
    }>();
    expectTypeOf<SignupInput>().toEqualTypeOf<{
      email: string;
      password: string;
      name?: string | null;
    }>();
    // @ts-expect-error login takes no name
    void client.auth.login.mutate({ email: "a@example.com", password: "p", name: "n" });
  });

  it("me is a query answering the account, dates as ISO strings", () => {
    expectTypeOf(client.auth.me.query).returns.resolves.toEqualTypeOf<AuthUser>();
    expectTypeOf<AuthUser>().toEqualTypeOf<{
      id: string;
      email: string;
      name: string | null;
      createdAt: string;
    }>();
  });
});

describe("errors", () => {
  it("isTaskClientError types data: the tRPC code and, for bad input, the zod issues", () => {
    const error: unknown = new Error("x");
    if (isTaskClientError(error)) {
      expectTypeOf(error).toEqualTypeOf<TaskClientError>();
      expectTypeOf(error.data).not.toBeAny();
      expectTypeOf<NonNullable<typeof error.data>["code"]>().toEqualTypeOf<TRPC_ERROR_CODE_KEY>();
      expectTypeOf<NonNullable<typeof error.data>["httpStatus"]>().toEqualTypeOf<number>();
      expectTypeOf<NonNullable<typeof error.data>["issues"]>().toExtend<unknown[] | undefined>();
      // @ts-expect-error not a tRPC code
      if (error.data?.code === "FORBIDDEN_FRUIT") return;
    }
  });
});
