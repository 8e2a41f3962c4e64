/**
 * The access-control object (one per cluster): API keys, ACLs, quotas and
 * the audit log. Workers keep a copy of keys, ACLs and quotas to check
 * requests without a round trip; every change bumps `version`, and a
 * Worker asks for a new copy when its own is older than
 * `limits.accessCacheMs` and the version moved. Expected failures are
 * results; RPC drops error fields.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { guardRpc } from "../rpc/boundary";
import { applySchema } from "../rpc/schema-steps";
import { matchesFilter, type Acl, type AclFilter } from "./acl";
import { AuditStore } from "./audit-store";
import { KeyStore } from "./key-store";
import { ACCESS_SCHEMA } from "./schema";
import type { AccessSnapshot, AuditEntry, KeyView, Quota } from "./types";

type Ok<T = object> = { ok: true } & T;

export class AccessControl extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly keys: KeyStore;
  readonly audit: AuditStore;
  private version: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applySchema(this.sql, ACCESS_SCHEMA);
    this.keys = new KeyStore(this.sql);
    this.audit = new AuditStore(this.sql);
    this.version = Number(this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'version'").toArray()[0]?.value ?? "1");
  }

  logContext(): Record<string, unknown> {
    return { object: "access-control", version: this.version };
  }

  /** Keys, ACLs and quotas — or just the version when the caller's copy is current. */
  async snapshot(knownVersion: number): Promise<Ok<{ changed: false; version: number }> | Ok<{ changed: true } & AccessSnapshot> | Failure> {
    if (knownVersion === this.version) return { ok: true, changed: false, version: this.version };
    return { ok: true, changed: true, version: this.version, keys: this.keys.entries(), acls: this.allAcls(), quotas: this.allQuotas() };
  }

  async createKey(principal: string, description: string): Promise<Ok<{ key: KeyView & { secret: string } }> | Failure> {
    if (this.keys.count >= limits.keysCountMax) return failure(ErrorCode.BAD_REQUEST, `the cluster has the most API keys allowed (${limits.keysCountMax})`);
    const key = await this.keys.create(principal, description, Date.now());
    this.bump();
    return { ok: true, key };
  }

  async listKeys(): Promise<Ok<{ keys: KeyView[] }> | Failure> {
    return { ok: true, keys: this.keys.list() };
  }

  async getKey(keyId: string): Promise<Ok<{ key: KeyView }> | Failure> {
    const key = this.keys.get(keyId);
    return key === null ? noKey(keyId) : { ok: true, key };
  }

  async setKeyDisabled(keyId: string, disabled: boolean): Promise<Ok<{ key: KeyView }> | Failure> {
    const key = this.keys.setDisabled(keyId, disabled);
    if (key === null) return noKey(keyId);
    this.bump();
    return { ok: true, key };
  }

  async deleteKey(keyId: string): Promise<Ok | Failure> {
    if (!this.keys.delete(keyId)) return noKey(keyId);
    this.bump();
    return { ok: true };
  }

  /** Adds an ACL (already validated); adding one that exists changes nothing. */
  async createAcl(acl: Acl): Promise<Ok<{ acl: Acl }> | Failure> {
    const count = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM acls").one().n;
    if (count >= limits.aclsCountMax) return failure(ErrorCode.BAD_REQUEST, `the cluster has the most ACLs allowed (${limits.aclsCountMax})`);
    const written = this.sql.exec(
      "INSERT OR IGNORE INTO acls (resource_type, resource_name, pattern_type, principal, host, operation, permission) VALUES (?, ?, ?, ?, ?, ?, ?)",
      acl.resource_type, acl.resource_name, acl.pattern_type, acl.principal, acl.host, acl.operation, acl.permission,
    ).rowsWritten;
    if (written > 0) this.bump();
    return { ok: true, acl };
  }

  async listAcls(filter: AclFilter): Promise<Ok<{ acls: Acl[] }> | Failure> {
    return { ok: true, acls: this.allAcls().filter((a) => matchesFilter(a, filter)) };
  }

  /** Deletes every ACL matching `filter`; answers with the deleted ones. */
  async deleteAcls(filter: AclFilter): Promise<Ok<{ acls: Acl[] }> | Failure> {
    const doomed = this.allAcls().filter((a) => matchesFilter(a, filter));
    this.ctx.storage.transactionSync(() => {
      for (const a of doomed) {
        this.sql.exec(
          "DELETE FROM acls WHERE resource_type = ? AND resource_name = ? AND pattern_type = ? AND principal = ? AND host = ? AND operation = ? AND permission = ?",
          a.resource_type, a.resource_name, a.pattern_type, a.principal, a.host, a.operation, a.permission,
        );
      }
    });
    if (doomed.length > 0) this.bump();
    return { ok: true, acls: doomed };
  }

  /** Sets a principal's quota (already validated), replacing any earlier one. */
  async putQuota(quota: Quota): Promise<Ok<{ quota: Quota }> | Failure> {
    const exists = this.allQuotas().some((q) => q.principal === quota.principal);
    if (!exists && this.allQuotas().length >= limits.quotasCountMax) return failure(ErrorCode.BAD_REQUEST, `the cluster has the most quotas allowed (${limits.quotasCountMax})`);
    this.sql.exec(
      "INSERT OR REPLACE INTO quotas (principal, producer_byte_rate, consumer_byte_rate, request_rate) VALUES (?, ?, ?, ?)",
      quota.principal, quota.producer_byte_rate, quota.consumer_byte_rate, quota.request_rate,
    );
    this.bump();
    return { ok: true, quota };
  }

  async listQuotas(): Promise<Ok<{ quotas: Quota[] }> | Failure> {
    return { ok: true, quotas: this.allQuotas() };
  }

  async deleteQuota(principal: string): Promise<Ok | Failure> {
    if (this.sql.exec("DELETE FROM quotas WHERE principal = ?", principal).rowsWritten === 0) {
      return failure(ErrorCode.NOT_FOUND, `no quota for principal '${principal}'`);
    }
    this.bump();
    return { ok: true };
  }

  async appendAudit(entries: AuditEntry[]): Promise<Ok | Failure> {
    this.audit.append(entries);
    return { ok: true };
  }

  async readAudit(sinceMs: number, limit: number): Promise<Ok<{ entries: AuditEntry[] }> | Failure> {
    return { ok: true, entries: this.audit.read(sinceMs, limit) };
  }

  private allAcls(): Acl[] {
    return this.sql.exec<Acl & Record<string, SqlStorageValue>>("SELECT * FROM acls ORDER BY resource_type, resource_name, principal, operation").toArray().map((r) => ({ ...r }));
  }

  private allQuotas(): Quota[] {
    return this.sql.exec<Quota & Record<string, SqlStorageValue>>("SELECT * FROM quotas ORDER BY principal").toArray().map((r) => ({ ...r }));
  }

  private bump(): void {
    this.version++;
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)", String(this.version));
  }
}

guardRpc(AccessControl, [
  "snapshot", "createKey", "listKeys", "getKey", "setKeyDisabled", "deleteKey", "createAcl", "listAcls", "deleteAcls",
  "putQuota", "listQuotas", "deleteQuota", "appendAudit", "readAudit",
]);

/** The one access-control object. */
export function accessStub(env: Pick<Env, "ACCESS">): DurableObjectStub<AccessControl> {
  return env.ACCESS.get(env.ACCESS.idFromName("access"));
}

function noKey(keyId: string): Failure {
  return failure(ErrorCode.NOT_FOUND, `API key '${keyId}' does not exist`);
}
