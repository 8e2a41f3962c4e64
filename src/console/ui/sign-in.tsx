/**
 * Sign-in with an API key (`{key_id}.{secret}`). The key is checked with
 * the server before it is kept (in sessionStorage only); a refusal is
 * shown as the API wrote it.
 */
import { useState } from "preact/hooks";
import { ErrorBox, InputError } from "./error-box";
import { keyProblem } from "./session";
import { Field, onSubmit } from "./ui";

export function SignIn({ checking, error, onKey }: { checking: boolean; error: unknown; onKey: (key: string) => void }) {
  const [key, setKey] = useState("");
  const [local, setLocal] = useState<InputError | null>(null);
  const submit = () => {
    const problem = keyProblem(key.trim());
    if (problem !== null) return setLocal(new InputError(problem));
    setLocal(null);
    onKey(key.trim());
  };
  return (
    <main class="sign-in" id="main">
      <h1>Sign in to the Runnel console</h1>
      <p>This server requires an API key. An administrator makes one for you; the bootstrap key is <code>admin.&#123;RUNNEL_ADMIN_KEY&#125;</code>.</p>
      <form class="stack" onSubmit={onSubmit(submit)}>
        <Field label="API key" hint="{key_id}.{secret} — kept only in this tab (sessionStorage), never in the address.">
          <input
            type="password"
            name="key"
            autoComplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            aria-invalid={local !== null || (error !== null && !checking)}
          />
        </Field>
        <div class="row">
          <button type="submit" class="primary" disabled={checking}>
            {checking ? "Signing in…" : "Sign in"}
          </button>
        </div>
        <ErrorBox error={local ?? (checking ? null : error)} />
      </form>
    </main>
  );
}
