import { DESCRIPTIONS, PRIORITIES, TAGS, TITLE_OBJECTS, TITLE_VERBS } from "./task-vocabulary.js";

/** A seeded user as one load connection sees it: who, their token, their tasks. */
export interface BenchUser {
  id: string;
  token: string;
  /** Newest first. */
  taskIds: string[];
}

/** What one connection sends, over and over, for its own user. */
export interface RequestPlan {
  method: "GET" | "POST" | "PATCH";
  /** The connection cycles through these, one per request. */
  paths: string[];
  body?: string;
}

/** One HTTP answer, as the preflight check reads it. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface Scenario {
  name: ScenarioName;
  /** What is measured, for the report. */
  request: string;
  /** Whether the baseline server implements it too. */
  baseline: boolean;
  plan(user: BenchUser, connection: number): RequestPlan;
  /** What is wrong with one answer to the plan's first request, or undefined when it is right. */
  check(answer: Answer, user: BenchUser): string | undefined;
}

// Runs in this order; create comes last so every list scenario sees each
// user's 50 seeded tasks, no more.
export const SCENARIO_NAMES = [
  "rest-list",
  "rest-list-filtered",
  "trpc-list",
  "trpc-batch",
  "rest-toggle",
  "rest-create",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const SEARCH_WORD = "review";
const FILTERED_QUERY = `status=pending&search=${SEARCH_WORD}&sort=due_date`;

const REST_TASK_KEYS = [
  "id",
  "user_id",
  "title",
  "description",
  "completed",
  "priority",
  "due_date",
  "tags",
  "created_at",
  "updated_at",
  "version",
].join();

const tasksPath = (user: BenchUser) => `/api/${encodeURIComponent(user.id)}/tasks`;

function trpcBatchPath(taskId: string): string {
  const input = JSON.stringify({ 0: {}, 1: { id: taskId } });
  return `/trpc/task.list,task.byId,health?batch=1&input=${encodeURIComponent(input)}`;
}

/** A realistic create body; connections differ so rows do too. */
function createBody(connection: number): string {
  const pick = <T>(items: readonly T[], salt: number): T =>
    items[(connection * 7 + salt) % items.length]!;
  const dueInDays = 1 + (connection % 30);
  return JSON.stringify({
    title: `${pick(TITLE_VERBS, 0)} ${pick(TITLE_OBJECTS, 3)}`,
    description: connection % 3 === 0 ? null : pick(DESCRIPTIONS, 5),
    priority: pick(PRIORITIES, 1),
    due_date:
      connection % 2 === 0 ? new Date(Date.now() + dueInDays * 86_400_000).toISOString() : null,
    tags: [pick(TAGS, 0), pick(TAGS, 4)].filter((tag, i, all) => all.indexOf(tag) === i),
  });
}

const describe = (answer: Answer) =>
  `status ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`;

function checkRestList(answer: Answer, expected: number): string | undefined {
  if (answer.status !== 200 || !Array.isArray(answer.body))
    return `expected 200 and an array, got ${describe(answer)}`;
  if (answer.body.length !== expected)
    return `expected ${expected} tasks, got ${answer.body.length}`;
  if (answer.headers.get("x-total-count") !== String(expected)) return "X-Total-Count is wrong";
  const keys = Object.keys((answer.body[0] ?? {}) as object).join();
  if (keys !== REST_TASK_KEYS) return `a task's keys are ${keys}`;
  return undefined;
}

function checkTask(answer: Answer, status: number): string | undefined {
  const body = answer.body as Record<string, unknown> | null;
  if (answer.status !== status || typeof body?.id !== "string")
    return `expected ${status} and a task, got ${describe(answer)}`;
  return undefined;
}

const scenarios: Record<ScenarioName, Omit<Scenario, "name">> = {
  "rest-list": {
    request: "GET /api/{user_id}/tasks (default sort, 50 tasks)",
    baseline: true,
    plan: (user) => ({ method: "GET", paths: [tasksPath(user)] }),
    check: (answer, user) => checkRestList(answer, user.taskIds.length),
  },
  "rest-list-filtered": {
    request: `GET /api/{user_id}/tasks?${FILTERED_QUERY}`,
    baseline: false,
    plan: (user) => ({ method: "GET", paths: [`${tasksPath(user)}?${FILTERED_QUERY}`] }),
    check: (answer) => {
      const tasks = answer.body as Array<Record<string, unknown>>;
      if (answer.status !== 200 || !Array.isArray(tasks) || tasks.length === 0) {
        return `expected 200 and some tasks, got ${describe(answer)}`;
      }
      const wrong = tasks.find(
        (task) =>
          task.completed !== false ||
          !`${String(task.title)} ${String(task.description)}`.toLowerCase().includes(SEARCH_WORD),
      );
      return wrong ? `a task does not match the filters: ${JSON.stringify(wrong)}` : undefined;
    },
  },
  "trpc-list": {
    request: "GET /trpc/task.list",
    baseline: false,
    plan: () => ({ method: "GET", paths: ["/trpc/task.list"] }),
    check: (answer, user) => {
      const data = (answer.body as { result?: { data?: { items?: unknown[]; total?: number } } })
        ?.result?.data;
      if (
        answer.status !== 200 ||
        data?.items?.length !== user.taskIds.length ||
        data.total !== user.taskIds.length
      ) {
        return `expected 200 and the user's ${user.taskIds.length} tasks, got ${describe(answer)}`;
      }
      return undefined;
    },
  },
  "trpc-batch": {
    request: "GET /trpc/task.list,task.byId,health?batch=1 (3 calls)",
    baseline: false,
    plan: (user) => ({ method: "GET", paths: user.taskIds.map(trpcBatchPath) }),
    check: (answer, user) => {
      const results = answer.body as Array<{ result?: { data?: Record<string, unknown> } }>;
      if (
        answer.status !== 200 ||
        !Array.isArray(results) ||
        results.length !== 3 ||
        results[1]?.result?.data?.id !== user.taskIds[0] ||
        results[2]?.result?.data?.status !== "ok"
      ) {
        return `expected 200 and 3 results, got ${describe(answer)}`;
      }
      return undefined;
    },
  },
  "rest-toggle": {
    request: "PATCH /api/{user_id}/tasks/{id}/complete (cycling through the user's tasks)",
    baseline: false,
    plan: (user) => ({
      method: "PATCH",
      paths: user.taskIds.map((id) => `${tasksPath(user)}/${id}/complete`),
    }),
    check: (answer) => checkTask(answer, 200),
  },
  "rest-create": {
    request: "POST /api/{user_id}/tasks (title, description, priority, due_date, tags)",
    baseline: true,
    plan: (user, connection) => ({
      method: "POST",
      paths: [tasksPath(user)],
      body: createBody(connection),
    }),
    check: (answer, user) =>
      checkTask(answer, 201) ??
      (answer.headers.get("location")?.startsWith(`${tasksPath(user)}/`)
        ? undefined
        : "no Location header"),
  },
};

export function scenario(name: ScenarioName): Scenario {
  return { name, ...scenarios[name] };
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}
