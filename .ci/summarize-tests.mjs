// Sums every package's vitest JSON report into the line CI reads:
// "N passed, M failed". A test command that failed without reporting a failed
// test (a file that did not load, a crash) counts as one failure. The README
// quick start (.ci/quickstart.sh, exit status in argv[3]) counts as one test.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const status = Number(process.argv[2] ?? 0);
const quickstart = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
let passed = 0;
let failed = 0;
for (const group of ["apps", "packages"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const report = join(group, name, "test-results", "vitest.json");
    if (!existsSync(report)) continue;
    const result = JSON.parse(readFileSync(report, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    if (!result.success && result.numFailedTests === 0) failed += 1;
  }
}
if (status !== 0 && failed === 0) failed = 1;
if (quickstart !== undefined) {
  if (quickstart === 0) passed += 1;
  else failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
