import { existsSync, readFileSync, writeFileSync } from "node:fs";

// bench/RESULTS.md has one section per kind of full run (one server against
// the baseline, the workers mode, the soak). A run rewrites the sections it
// measured and keeps the others, each with its own date and command, so a
// soak does not erase the last full run's figures, nor the other way round.

export const RESULTS_SECTIONS = ["scenarios", "workers", "soak"] as const;
export type ResultsSection = (typeof RESULTS_SECTIONS)[number];

const HEAD = `# Benchmark results

Written by \`pnpm bench\`: each kind of full run (\`pnpm bench\`, \`pnpm bench --workers\`,
\`pnpm bench --soak\`) rewrites its own section and keeps the others, so the sections
may come from different runs: each says when and how it was taken. What the scenarios
send and how the figures are taken: [README.md](README.md).
`;

const open = (name: string) => `<!-- bench:${name} -->`;
const close = (name: string) => `<!-- /bench:${name} -->`;

/** The sections found in a RESULTS.md, by name. */
export function readSections(text: string): Map<ResultsSection, string> {
  const sections = new Map<ResultsSection, string>();
  for (const name of RESULTS_SECTIONS) {
    const start = text.indexOf(open(name));
    const end = text.indexOf(close(name));
    if (start >= 0 && end > start) {
      sections.set(name, text.slice(start + open(name).length, end).trim());
    }
  }
  return sections;
}

export function resultsFile(sections: Map<ResultsSection, string>): string {
  const parts = RESULTS_SECTIONS.filter((name) => sections.has(name)).map(
    (name) => `${open(name)}\n\n${sections.get(name)!}\n\n${close(name)}\n`,
  );
  return [HEAD, ...parts].join("\n");
}

/** Replaces these sections of the file, keeping the rest. */
export function writeResultsSections(
  file: string,
  written: Partial<Record<ResultsSection, string>>,
): void {
  const sections = existsSync(file) ? readSections(readFileSync(file, "utf8")) : new Map();
  for (const [name, body] of Object.entries(written) as Array<[ResultsSection, string]>) {
    sections.set(name, body.trim());
  }
  writeFileSync(file, resultsFile(sections));
}
