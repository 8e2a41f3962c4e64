import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        // Unit and API tests inside workerd, against the real Durable Objects.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/gateway/**"], testTimeout: 20_000 },
      },
      {
        // The Kafka front door's own code (a Node process, not the Worker): codec byte vectors and its TCP server.
        test: { name: "node", include: ["test/gateway/**/*.test.ts"], environment: "node", testTimeout: 20_000 },
      },
      {
        // End-to-end tests: start the real local server (`npm start`) and talk HTTP to it.
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
});
