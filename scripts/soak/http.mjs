// Plain JSON HTTP for the soak's own calls (the workloads that test a
// client use that client): never throws for an answer; no answer at all
// (the server is down) is status 0.

/** `method` `url` with a JSON body; resolves with the status and the parsed body (null when empty or not JSON). */
export async function request(method, url, body, headers = {}) {
  try {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: res.status, body: parsed };
  } catch (e) {
    return { status: 0, body: { error_code: 0, message: e.cause?.message ?? e.message } };
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
