import type { Answer, BenchUser, Scenario } from "./scenarios.js";

// Before a scenario is loaded, one request of it is checked by hand: a
// figure for a route that answers 401, or an empty list, would measure
// nothing. The baseline's list must also be byte-for-byte the server's, so
// the ratio compares the same work.

async function ask(baseUrl: string, user: BenchUser, scenario: Scenario): Promise<Answer> {
  const { method, paths, body } = scenario.plan(user, 0);
  const response = await fetch(`${baseUrl}${paths[0]}`, {
    method,
    headers: {
      authorization: `Bearer ${user.token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the check reports it as it is.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function checkScenario(
  label: string,
  baseUrl: string,
  scenario: Scenario,
  user: BenchUser,
): Promise<void> {
  const problem = scenario.check(await ask(baseUrl, user, scenario), user);
  if (problem) throw new Error(`${label} answers ${scenario.name} wrongly: ${problem}`);
}

export async function checkBaselineListMatchesServer(
  serverUrl: string,
  baselineUrl: string,
  list: Scenario,
  user: BenchUser,
): Promise<void> {
  const [server, baseline] = await Promise.all([
    ask(serverUrl, user, list),
    ask(baselineUrl, user, list),
  ]);
  const same =
    JSON.stringify(server.body) === JSON.stringify(baseline.body) &&
    server.headers.get("x-total-count") === baseline.headers.get("x-total-count");
  if (!same)
    throw new Error("the baseline's REST list differs from the server's for the same user");
}
