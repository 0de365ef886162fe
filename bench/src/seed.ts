import { randomUUID } from "node:crypto";

import pg from "pg";

import {
  DESCRIPTIONS,
  TAGS,
  TITLE_OBJECTS,
  TITLE_VERBS,
  type Priority,
} from "./task-vocabulary.js";

export interface SeededUser {
  id: string;
  /** This user's task ids, newest first (the list's default order). */
  taskIds: string[];
}

interface TaskRow {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  due_date: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

const DAY_MS = 86_400_000;
const INSERT_BATCH = 2_500;

/** Same data on every run (mulberry32), so runs compare like with like. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function benchUserId(index: number): string {
  return `bench-user-${String(index).padStart(3, "0")}`;
}

function pickDistinct<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) {
    picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  }
  return picked;
}

function makeTasks(userCount: number, tasksPerUser: number, now: number): TaskRow[] {
  const random = seededRandom(20261122);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const rows: TaskRow[] = [];
  for (let u = 0; u < userCount; u++) {
    for (let t = 0; t < tasksPerUser; t++) {
      // Created over the last 120 days; updated some time after.
      const created = now - DAY_MS / 24 - Math.floor(random() * 120 * DAY_MS);
      const updated = created + Math.floor(random() * (now - created));
      const tags = pickDistinct(TAGS, Math.floor(random() * 4), random);
      const roll = random();
      rows.push({
        id: randomUUID(),
        user_id: benchUserId(u),
        title: `${pick(TITLE_VERBS)} ${pick(TITLE_OBJECTS)}`,
        description: random() < 0.6 ? pick(DESCRIPTIONS) : null,
        completed: random() < 0.35,
        priority: roll < 0.3 ? "low" : roll < 0.8 ? "medium" : "high",
        due_date:
          random() < 0.5
            ? new Date(created + Math.ceil(random() * 45) * DAY_MS).toISOString()
            : null,
        tags,
        created_at: new Date(created).toISOString(),
        updated_at: new Date(updated).toISOString(),
        version: 1,
      });
    }
  }
  return rows;
}

/**
 * Writes `userCount × tasksPerUser` tasks straight into the tasks table (not
 * through the API, so seeding costs seconds and measures nothing).
 */
export async function seedTasks(
  databaseUrl: string,
  { userCount, tasksPerUser }: { userCount: number; tasksPerUser: number },
): Promise<SeededUser[]> {
  const rows = makeTasks(userCount, tasksPerUser, Date.now());
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      await client.query(
        "INSERT INTO tasks SELECT * FROM json_populate_recordset(NULL::tasks, $1::json)",
        [JSON.stringify(rows.slice(start, start + INSERT_BATCH))],
      );
    }
    await client.query("ANALYZE tasks");
  } finally {
    await client.end();
  }
  const byUser = new Map<string, TaskRow[]>();
  for (const row of rows) {
    const tasks = byUser.get(row.user_id) ?? [];
    tasks.push(row);
    byUser.set(row.user_id, tasks);
  }
  const newestFirst = (a: TaskRow, b: TaskRow) =>
    a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;
  return [...byUser].map(([id, tasks]) => ({
    id,
    taskIds: tasks.sort(newestFirst).map((task) => task.id),
  }));
}
