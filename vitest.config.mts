import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** wrangler.toml's Worker as the development build: src/dev.ts, with the Faults object bound (not in the deployed Worker). */
const DEVELOPMENT_BUILD = {
  main: "./src/dev.ts",
  wrangler: { configPath: "./wrangler.toml" },
  miniflare: { durableObjects: { FAULTS: { className: "Faults", useSQLite: true } } },
};

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        // Unit and API tests inside workerd, against the real Durable Objects.
        // The development build (src/dev.ts: faults on demand) in development mode without an admin key: served open.
        plugins: [cloudflareTest({ ...DEVELOPMENT_BUILD, miniflare: { ...DEVELOPMENT_BUILD.miniflare, bindings: { MODE: "development" } } })],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/compat/**", "test/access/**", "test/gateway/**", "test/docs/**", "test/layout/**", "test/soak/**"], testTimeout: 20_000 },
      },
      {
        // The same Worker with authentication on (the admin key's secret is "test-admin-secret").
        plugins: [
          cloudflareTest({
            ...DEVELOPMENT_BUILD,
            miniflare: { ...DEVELOPMENT_BUILD.miniflare, bindings: { MODE: "development", RUNNEL_ADMIN_KEY: "test-admin-secret" } },
          }),
        ],
        test: { name: "workers-auth", include: ["test/access/**/*.test.ts"], testTimeout: 20_000 },
      },
      {
        // The Kafka front door's own code (a Node process, not the Worker): codec byte vectors and its TCP server; the soak's history checker.
        test: { name: "node", include: ["test/gateway/**/*.test.ts", "test/docs/**/*.test.ts", "test/layout/**/*.test.ts", "test/soak/**/*.test.ts"], environment: "node", testTimeout: 20_000 },
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
