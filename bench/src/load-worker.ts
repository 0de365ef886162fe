// One load run, in a process of its own: reads a LoadJob on stdin, drives
// autocannon (keep-alive, one user per connection), prints a LoadResult with
// its own CPU time, so the load generator's share of the machine is known.
import { performance } from "node:perf_hooks";
import { text } from "node:stream/consumers";

import autocannon from "autocannon";

import { MEASURING, type LoadJob, type LoadResult } from "./load-run.js";
import { scenario } from "./scenarios.js";

const MAX_FAILURES_KEPT = 5;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function runFor(job: LoadJob, seconds: number): Promise<LoadResult> {
  const plans = job.scenarios.map((name) => scenario(name).plan);
  const latencies: number[] = [];
  const failures: string[] = [];
  const keepFailure = (failure: string) => {
    if (failures.length < MAX_FAILURES_KEPT) failures.push(failure);
  };
  let connections = 0;
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  let lastResponse = started;

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: seconds,
        pipelining: 1,
        timeout: 10,
        // Connection i speaks for user i: its own token, its own paths.
        setupClient: (client) => {
          const index = connections++;
          const user = job.users[index % job.users.length]!;
          const { method, paths, body } = plans[index % plans.length]!(user, index);
          let turn = 0;
          client.setRequests([
            {
              method,
              path: paths[0]!,
              headers: {
                authorization: `Bearer ${user.token}`,
                ...(body === undefined ? {} : { "content-type": "application/json" }),
              },
              ...(body === undefined ? {} : { body }),
              ...(paths.length > 1
                ? {
                    setupRequest: (request) => ({
                      ...request,
                      path: paths[turn++ % paths.length]!,
                    }),
                  }
                : {}),
              onResponse: (status, responseBody) => {
                if (status < 200 || status > 299)
                  keepFailure(`${status} ${responseBody.slice(0, 300)}`);
              },
            },
          ]);
        },
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const cpu = process.cpuUsage(cpuAtStart);
        const sorted = Float64Array.from(latencies).sort();
        const elapsed = (lastResponse - started) / 1000;
        resolve({
          requests: latencies.length,
          seconds: elapsed,
          requestsPerSecond: elapsed > 0 ? latencies.length / elapsed : 0,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          non2xx: result.non2xx,
          errors: result.errors,
          statusCodes: Object.fromEntries(
            Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [
              code,
              stats.count ?? 0,
            ]),
          ),
          failures,
          cpuMs: (cpu.user + cpu.system) / 1000,
        });
      },
    );
    // autocannon's own histogram has 1 ms steps; these are exact.
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastResponse = performance.now();
    });
    instance.on("reqError", (error: unknown) =>
      keepFailure(`socket error: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
}

const job = JSON.parse(await text(process.stdin)) as LoadJob;
const warmup = job.warmupSeconds > 0 ? await runFor(job, job.warmupSeconds) : undefined;
// A warm-up that failed is reported as the result, so it fails the run too.
const failedWarmup = warmup && warmup.non2xx + warmup.errors > 0 ? warmup : undefined;
// The parent reads the target's CPU time at this mark and at the end.
if (!failedWarmup) process.stderr.write(`${MEASURING}\n`);
process.stdout.write(JSON.stringify(failedWarmup ?? (await runFor(job, job.durationSeconds))));
