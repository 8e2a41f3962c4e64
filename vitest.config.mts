import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
// @ts-expect-error: a JavaScript module without types
import { buildExample } from "./scripts/build.mjs";

/** wrangler.toml's Worker as the development build: src/dev.ts, with the Faults object bound (not in the deployed Worker). */
const DEVELOPMENT_BUILD = {
  main: "./src/dev.ts",
  wrangler: { configPath: "./wrangler.toml" },
  miniflare: { durableObjects: { FAULTS: { className: "Faults", useSQLite: true } } },
};

/**
 * The Workers beside Runnel in the push tests: a webhook receiver that gets every outbound fetch, and the example
 * consumer (examples/consumer-worker) bound as CONSUMER, forwarding what it is given to topic ex-forwarded through
 * its binding to RunnelService. Runnel binds its own RunnelService too, as two principals and as none.
 */
const runnelService = (principal?: string, name = "runnel") => ({ name, entrypoint: "RunnelService", ...(principal ? { props: { principal } } : {}) });
/** The Worker under test as auxiliary Workers must name it: the pool renames it (only its own bindings to "runnel" follow). */
const PUSH_RUNNER = "vitest-plugin-runner-workers-push";
const SELF_BINDINGS = { RUNNEL_APP: runnelService("User:app"), RUNNEL_OTHER: runnelService("User:other"), RUNNEL_NOBODY: runnelService() };
const PUSH_WORKERS = {
  outboundService: "push-receiver",
  serviceBindings: { CONSUMER: "example-consumer", ...SELF_BINDINGS },
  workers: [
    { name: "push-receiver", modules: true, scriptPath: "./test/push/receiver-worker.js", compatibilityDate: "2026-10-01" },
    {
      name: "example-consumer",
      modules: true,
      scriptPath: await buildExample(),
      compatibilityDate: "2026-10-01",
      bindings: { FORWARD_TO: "ex-forwarded", LOG_RECORDS: "false" },
      serviceBindings: { RUNNEL: runnelService("User:example-consumer", PUSH_RUNNER) },
    },
  ],
};

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        // Unit and API tests inside workerd, against the real Durable Objects.
        // The development build (src/dev.ts: faults on demand) in development mode without an admin key: served open.
        plugins: [cloudflareTest({ ...DEVELOPMENT_BUILD, miniflare: { ...DEVELOPMENT_BUILD.miniflare, bindings: { MODE: "development" } } })],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/compat/**", "test/access/**", "test/gateway/**", "test/docs/**", "test/layout/**", "test/push/**"], testTimeout: 20_000 },
      },
      {
        // Push subscriptions: the same Worker, its outbound HTTP routed to a webhook receiver Worker
        // (test/push/receiver-worker.js), beside the example consumer Worker bound as CONSUMER.
        // Not verbose: a target Worker's refusal (deliver() throwing) is expected here, not an uncaught exception to report.
        plugins: [cloudflareTest({ ...DEVELOPMENT_BUILD, verbose: false, miniflare: { ...DEVELOPMENT_BUILD.miniflare, ...PUSH_WORKERS, bindings: { MODE: "development" } } })],
        test: { name: "workers-push", include: ["test/push/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        // The same Worker with authentication on (the admin key's secret is "test-admin-secret").
        plugins: [
          cloudflareTest({
            ...DEVELOPMENT_BUILD,
            miniflare: { ...DEVELOPMENT_BUILD.miniflare, serviceBindings: SELF_BINDINGS, bindings: { MODE: "development", RUNNEL_ADMIN_KEY: "test-admin-secret" } },
          }),
        ],
        test: { name: "workers-auth", include: ["test/access/**/*.test.ts"], testTimeout: 20_000 },
      },
      {
        // The Kafka front door's own code (a Node process, not the Worker): codec byte vectors and its TCP server.
        test: { name: "node", include: ["test/gateway/**/*.test.ts", "test/docs/**/*.test.ts", "test/layout/**/*.test.ts"], environment: "node", testTimeout: 20_000 },
      },
      {
        // End-to-end tests: start the real local server (`npm start`) and talk HTTP to it.
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        // The REST-proxy compatibility suite (cases from Confluent's, Karapace's, Redpanda's and Strimzi's suites), against the real server.
        test: { name: "compat", include: ["test/compat/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 120_000 },
      },
    ],
  },
});
