// Sums every package's vitest JSON reports (test-results/*.json: one per run of
// the suite) into the line CI reads:
// "N passed, M failed". A test command that failed without reporting a failed
// test (a file that did not load, a crash) counts as one failure. Each further
// argument, "<command>=<exit status>", is one more check counted as a test.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const status = Number(process.argv[2] ?? 0);
const checks = process.argv.slice(3).map((arg) => {
  const at = arg.lastIndexOf("=");
  return { command: arg.slice(0, at), code: Number(arg.slice(at + 1)) };
});
let passed = 0;
let failed = 0;
for (const group of ["apps", "packages"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const results = join(group, name, "test-results");
    if (!existsSync(results)) continue;
    for (const file of readdirSync(results).filter((f) => f.endsWith(".json"))) {
      const result = JSON.parse(readFileSync(join(results, file), "utf8"));
      passed += result.numPassedTests;
      failed += result.numFailedTests;
      if (!result.success && result.numFailedTests === 0) failed += 1;
    }
  }
}
if (status !== 0 && failed === 0) failed = 1;
for (const { command, code } of checks) {
  if (code === 0) passed += 1;
  else {
    failed += 1;
    console.log(`failed: ${command} (exit ${code})`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
