import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        // Unit and API tests inside workerd, against the real Durable Objects.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/compat/**"], testTimeout: 20_000 },
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
