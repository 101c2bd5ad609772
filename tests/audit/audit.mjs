// Runs graphql-http's audit suite against the GraphQL endpoint given as the first argument and
// prints one JSON line per audit: {id, name, status, reason}. With `--preflight`, every request
// carries GraphQL-Require-Preflight, as clients of a gateway in production mode send it.
import { auditServer } from "graphql-http";

const url = process.argv[2];
const preflight = process.argv.includes("--preflight");
const fetchFn = preflight
  ? (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("GraphQL-Require-Preflight", "1");
      return fetch(input, { ...init, headers });
    }
  : fetch;
const results = await auditServer({ url, fetchFn });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") line.reason = result.reason;
  process.stdout.write(JSON.stringify(line) + "\n");
}
