/**
 * `RunnelService`, the WorkerEntrypoint other Workers bind to (API.md
 * "Push subscriptions and Worker bindings"): produce, read and commit
 * without HTTP and without keys in code. The binding names the principal
 * its calls run as (`props.principal`, as in a wrangler.toml
 * `[[services]]` entry); the same ACLs, quotas and audit log apply as
 * over HTTP (service-calls.ts). With authentication on, a binding that
 * names no principal is refused (40101); served open, calls run as
 * User:ANONYMOUS unless it names one.
 *
 * Every method answers `{ok: true, …}` or a failure `{ok: false,
 * error_code, error_name?, message}` — as every error body of the HTTP
 * API — never a thrown error, whose fields RPC would drop. Reading is
 * `fetchRecords`: a service binding's `fetch` is always its HTTP handler.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { Principal } from "../access/acl";
import { authMode } from "../access/authenticate";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { inputProblem } from "../input";
import { settle } from "../rpc/call";
import { commitAs, type FetchOptions, fetchAs, type ProduceOptions, produceAs } from "./service-calls";

/** What a binding to RunnelService gives in its props. */
export interface RunnelServiceProps {
  /** The principal the binding's calls run as, `User:…`. */
  principal?: string;
}

/** The principal of requests served open (as router/access.ts). */
const ANONYMOUS = "User:ANONYMOUS";

export class RunnelService extends WorkerEntrypoint<Env, RunnelServiceProps> {
  /** Produces `records` to `topic` (see service-records.ts); each record's partition and offset, or its error. */
  async produce(topic: string, records: unknown, options: ProduceOptions = {}) {
    return this.#run("RunnelService.produce", (principal) => produceAs(this.env, principal, topic, records, options, (p) => this.ctx.waitUntil(p)));
  }

  /** Records of `topic`'s `partition` from `offset` (inclusive), with next_offset, high_watermark and log_start_offset, as the HTTP fetch. */
  async fetchRecords(topic: string, partition: number, offset: number, options: FetchOptions = {}) {
    return this.#run("RunnelService.fetchRecords", (principal) => fetchAs(this.env, principal, topic, partition, offset, options));
  }

  /** Commits `offsets` ([{topic, partition, offset}], each the next offset to read) for `group`. */
  async commit(group: string, offsets: unknown) {
    return this.#run("RunnelService.commit", (principal) => commitAs(this.env, principal, group, offsets));
  }

  /** Runs `work` as the binding's principal; an expected failure is answered as a result, a bug as a 500 with its bug id. */
  async #run<T>(where: string, work: (principal: string) => Promise<T>) {
    return settle(where, async () => work(this.#principal()));
  }

  #principal(): string {
    const mode = authMode(this.env);
    if (mode === "closed") throw new RunnelError(ErrorCode.NOT_CONFIGURED, "authentication is not configured: set the RUNNEL_ADMIN_KEY secret (wrangler secret put RUNNEL_ADMIN_KEY)");
    const named = this.ctx.props?.principal;
    if (named === undefined) {
      if (mode === "open") return ANONYMOUS;
      throw new RunnelError(ErrorCode.UNAUTHENTICATED, "this service binding names no principal: give it props = { principal = \"User:…\" }");
    }
    const problem = inputProblem(Principal, named, "the binding's principal");
    if (problem !== null) throw new RunnelError(ErrorCode.UNAUTHENTICATED, problem);
    return named;
  }
}
