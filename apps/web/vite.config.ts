import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The app reads @todo/client's TypeScript sources (its "@todo/source" export),
// so `pnpm dev` needs no build of the client first. The API's address comes
// from VITE_API_URL (see src/task-client.ts).
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["@todo/source", ...defaultClientConditions] },
  // Port 3000 is the origin the server's CORS allows by default.
  server: { port: 3000, strictPort: true },
  preview: { port: 3000, strictPort: true },
});
