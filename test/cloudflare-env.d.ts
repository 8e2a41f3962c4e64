// Tells `cloudflare:test` what our bindings are.
import type { Env as RunnelEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends RunnelEnv {}
  }
}
