/**
 * Errors as the API wrote them: its `error_code`, its `error_name` (Kafka's
 * name, when it gave one) and its `message`, verbatim (as text, never as
 * markup). A failure with no answer (code 0) says so; the console's own
 * checks have no code.
 */
import { RunnelError } from "../../client/errors";

/** Shows `error` (nothing when it is null). */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  if (error instanceof RunnelError) {
    return (
      <div class="error" role="alert">
        {error.errorCode === 0 ? <span class="error-code">no answer</span> : <code class="error-code">{error.errorCode}</code>}{" "}
        {error.errorName === null ? null : <code class="error-name">{error.errorName}</code>}
        {error.errorName === null ? null : " "}
        <span class="error-message">{error.message}</span>
        {error.requestId !== null && error.errorCode >= 500 ? <span class="error-request"> (request {error.requestId})</span> : null}
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      <span class="error-message">{message}</span>
    </div>
  );
}

/** An error of the console's own checks (before anything is sent). */
export class InputError extends Error {
  override name = "InputError";
}
