import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        // Unit and API tests inside workerd, against the real Durable Objects.
        // Development mode without an admin key: served open, faults on demand.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: { MODE: "development" } } })],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/compat/**", "test/access/**", "test/gateway/**", "test/docs/**"], testTimeout: 20_000 },
      },
      {
        // The same Worker with authentication on (the admin key's secret is "test-admin-secret").
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { MODE: "development", RUNNEL_ADMIN_KEY: "test-admin-secret" } },
          }),
        ],
        test: { name: "workers-auth", include: ["test/access/**/*.test.ts"], testTimeout: 20_000 },
      },
      {
        // The Kafka front door's own code (a Node process, not the Worker): codec byte vectors and its TCP server.
        test: { name: "node", include: ["test/gateway/**/*.test.ts", "test/docs/**/*.test.ts"], environment: "node", testTimeout: 20_000 },
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
