import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The app reads @todo/client's TypeScript sources (its "@todo/source" export),
// so `pnpm dev` needs no build of the client first. The API's address comes
// from VITE_API_URL (see src/task-client.ts).
const webPort = Number(process.env.WEB_PORT || 3000);

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["@todo/source", ...defaultClientConditions] },
  // Port 3000 is the origin the server's CORS allows by default; WEB_PORT
  // moves it (then CORS_ORIGINS must list the new origin).
  server: { port: webPort, strictPort: true },
  preview: { port: webPort, strictPort: true },
});
