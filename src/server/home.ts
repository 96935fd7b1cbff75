/**
 * The root page, `GET /`: a fixed page saying that Hotfix Guard is running and where to look. It
 * holds no data (no installations, repositories, counts or version), so it can be public. A
 * delivery POSTed to `/` (the webhook URL Probot's setup page registers) is the ingress's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hotfix Guard</title></head>
<body>
<h1>Hotfix Guard is running</h1>
<p>This is a GitHub App server: GitHub sends it webhook deliveries, and it reports on hotfix pull requests in the repositories where the app is installed.</p>
<ul>
<li><a href="/healthz">/healthz</a>: whether the process serves</li>
<li><a href="/readyz">/readyz</a>: whether its database answers</li>
<li>Deployment and operation: <code>docs/deploy.md</code> in the app's repository</li>
</ul>
</body>
</html>
`;

/** The `GET /` route as a server handler (true when it handled the request). */
export function homePage(): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || req.url?.split("?")[0] !== "/") return false;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : PAGE);
    return true;
  };
}
