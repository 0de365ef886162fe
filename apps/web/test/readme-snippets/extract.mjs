// Writes the READMEs' Next.js snippets (every ```tsx block of the main
// README and of apps/web/README.md) into generated/, each as a file of its
// own, for `tsc -p test/readme-snippets` to check as part of `pnpm typecheck`:
// a snippet that no longer compiles against @todo/client, Better Auth or
// TanStack Query fails the typecheck. lib/ and next-headers.d.ts stand in for
// the Next.js app around them.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";

const here = new URL("./", import.meta.url);
const readmes = [
  ["readme", new URL("../../../../README.md", here)],
  ["web-readme", new URL("../../README.md", here)],
];
const generated = new URL("generated/", here);

await rm(generated, { recursive: true, force: true });
await mkdir(generated);
for (const [name, url] of readmes) {
  const text = await readFile(url, "utf8");
  const snippets = [...text.matchAll(/^```tsx\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  if (snippets.length === 0) throw new Error(`no tsx snippet in ${url.pathname}`);
  for (const [index, snippet] of snippets.entries()) {
    await writeFile(new URL(`${name}-${index + 1}.tsx`, generated), snippet);
  }
}
