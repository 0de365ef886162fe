import { authRouter } from "./router/auth.js";
import { healthProcedure } from "./router/health.js";
import { taskRouter } from "./router/task.js";
import { createCallerFactory, createTRPCRouter } from "./trpc.js";

export const appRouter = createTRPCRouter({
  task: taskRouter,
  auth: authRouter,
  health: healthProcedure,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
