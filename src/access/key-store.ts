/** API keys in the access-control object's SQLite: secrets only as salted hashes. */
import { hashSecret, newKeyId, newSalt, newSecret } from "./secrets";
import type { KeyEntry, KeyView } from "./types";

type KeyRow = { key_id: string; principal: string; description: string; created_at_ms: number; disabled: number; salt: string; hash: string };

export class KeyStore {
  constructor(private readonly sql: SqlStorage) {}

  get count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM keys").one().n;
  }

  /** Makes a key for `principal`; the secret is returned here and never again. */
  async create(principal: string, description: string, nowMs: number): Promise<KeyView & { secret: string }> {
    const keyId = newKeyId();
    const secret = newSecret();
    const salt = newSalt();
    this.sql.exec(
      "INSERT INTO keys (key_id, principal, description, created_at_ms, disabled, salt, hash) VALUES (?, ?, ?, ?, 0, ?, ?)",
      keyId, principal, description, nowMs, salt, await hashSecret(secret, salt),
    );
    return { ...view(this.row(keyId)!), secret };
  }

  list(): KeyView[] {
    return this.sql.exec<KeyRow>("SELECT * FROM keys ORDER BY created_at_ms, key_id").toArray().map(view);
  }

  get(keyId: string): KeyView | null {
    const row = this.row(keyId);
    return row === null ? null : view(row);
  }

  /** Disables or enables a key; null when there is none. */
  setDisabled(keyId: string, disabled: boolean): KeyView | null {
    this.sql.exec("UPDATE keys SET disabled = ? WHERE key_id = ?", disabled ? 1 : 0, keyId);
    return this.get(keyId);
  }

  /** Deletes a key; whether it existed. */
  delete(keyId: string): boolean {
    return this.sql.exec("DELETE FROM keys WHERE key_id = ?", keyId).rowsWritten > 0;
  }

  /** Every key as a Worker needs it to verify requests. */
  entries(): KeyEntry[] {
    return this.sql
      .exec<KeyRow>("SELECT * FROM keys")
      .toArray()
      .map((r) => ({ keyId: r.key_id, principal: r.principal, disabled: r.disabled === 1, salt: r.salt, hash: r.hash }));
  }

  private row(keyId: string): KeyRow | null {
    return this.sql.exec<KeyRow>("SELECT * FROM keys WHERE key_id = ?", keyId).toArray()[0] ?? null;
  }
}

function view(r: KeyRow): KeyView {
  return { key_id: r.key_id, principal: r.principal, description: r.description, created_at: new Date(r.created_at_ms).toISOString(), disabled: r.disabled === 1 };
}
