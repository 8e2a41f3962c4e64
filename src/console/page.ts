/**
 * The console's HTML page and the headers of every console answer. The
 * page holds no inline script or style: everything it runs is a hashed
 * asset from this origin (assets.ts), and the Content-Security-Policy
 * says so — no other origin, no inline code, no `eval`, and Trusted Types
 * required, so even a slip that assigned a string to `innerHTML` would be
 * refused by the browser instead of running hostile message bytes.
 */
import { CONSOLE_ENTRY } from "./generated/assets";

/** The console's Content-Security-Policy: this origin only, nothing inline, no framing. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/** Headers of every console answer: the CSP and its companions, and how long it may be cached. */
export function consoleHeaders(contentType: string, immutable: boolean): Record<string, string> {
  return {
    "content-type": contentType,
    "content-security-policy": CONSOLE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    // Asset names carry their content hash, so they never change; the page names the current ones.
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  };
}

/**
 * The page. `auth` tells the script whether the server wants a key
 * ("on") or serves open ("off", development without an admin key), so
 * it need not probe with a request that would fail.
 */
export function consolePage(auth: "on" | "off"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="runnel-auth" content="${auth}">
<title>Runnel console</title>
<link rel="icon" type="image/svg+xml" href="/console/${CONSOLE_ENTRY.icon}">
<link rel="stylesheet" href="/console/${CONSOLE_ENTRY.css}">
<script type="module" src="/console/${CONSOLE_ENTRY.js}"></script>
</head>
<body>
<div id="app"><noscript>The Runnel console needs JavaScript.</noscript></div>
</body>
</html>
`;
}
