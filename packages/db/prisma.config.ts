import { defineConfig } from "prisma/config";

import { readDbEnv } from "./src/env.js";

// Read by the Prisma CLI only (`prisma migrate deploy`, `migrate dev`, `studio`
// where its engine can be downloaded). The app gets its URL from its caller.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: readDbEnv().DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
