/**
 * The dashboard's HTML, as Eta templates compiled once at start. Eta escapes every `<%= %>`
 * interpolation by default, so hostile text from pull requests (titles, descriptions, branch
 * names) is written as text; the only raw output (`<%~ %>`) is the page body inside the layout
 * and the charts, which `charts.ts` escapes itself. Templates only display: the view models in
 * `pages.ts` decide what is shown.
 */
import { Eta } from "eta";
import { STYLESHEET } from "./styles.js";

const LAYOUT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title><%= it.title %> · Hotfix Guard</title>
<style><%~ it.css %></style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand"><a href="<%= it.base %>">Hotfix Guard</a></p>
<% if (it.user) { %>
<nav class="main" aria-label="Dashboard">
<ul>
<% for (const item of it.nav) { %><li><a href="<%= item.href %>"<% if (item.current) { %> aria-current="page"<% } %>><%= item.label %></a></li><% } %>
</ul>
</nav>
<form class="signout" method="post" action="<%= it.base %>/auth/sign-out">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<span>Signed in as <strong><%= it.user %></strong></span>
<button type="submit">Sign out</button>
</form>
<% } %>
</header>
<main id="main">
<%~ it.body %>
</main>
<footer>Hotfix Guard · times in UTC</footer>
</body>
</html>
`;

const SETUP = `<% layout("@layout") %>
<h1>The dashboard is not enabled</h1>
<p>The hotfix log's web view needs the GitHub App's OAuth client and a session secret. Nothing else is served here until they are set.</p>
<h2>What is missing</h2>
<ul>
<% for (const problem of it.problems) { %><li><%= problem %></li><% } %>
</ul>
<h2>How to enable it</h2>
<ol>
<li>In the GitHub App's settings, note the <strong>Client ID</strong> and generate a <strong>client secret</strong>.</li>
<li>Add the callback URL <code><%= it.callback %></code> under <em>Callback URL</em> (<code>&lt;public url&gt;</code> is where users reach this app).</li>
<li>Set <code>GITHUB_CLIENT_ID</code>, <code>GITHUB_CLIENT_SECRET</code>, <code>SESSION_SECRET</code> (at least 32 random characters) and <code>DASHBOARD_PUBLIC_URL</code>, then restart the app.</li>
</ol>
<p>See <code>docs/dashboard.md</code> for every setting.</p>
`;

const SIGN_IN = `<% layout("@layout") %>
<h1>Sign in</h1>
<p>The hotfix log shows hotfixes of the repositories you can read on GitHub. Sign in with your GitHub account to see them.</p>
<p><a class="button primary" href="<%= it.signInHref %>">Sign in with GitHub</a></p>
<% if (it.message) { %><p class="notice" role="status"><%= it.message %></p><% } %>
`;

const MESSAGE = `<% layout("@layout") %>
<h1><%= it.heading %></h1>
<p><%= it.message %></p>
<p><a href="<%= it.base %>">Back to the hotfix log</a></p>
`;

const LOG = `<% layout("@layout") %>
<h1>Hotfix log</h1>
<form class="filters" method="get" action="<%= it.base %>" aria-label="Filter the log">
<label>Repository
<select name="repo">
<option value="">All (<%= it.repos.length %>)</option>
<% for (const repo of it.repos) { %><option value="<%= repo %>"<% if (repo === it.filter.repo) { %> selected<% } %>><%= repo %></option><% } %>
</select></label>
<label>Severity
<select name="severity">
<option value="">Any</option>
<% for (const severity of it.severities) { %><option value="<%= severity %>"<% if (severity === it.filter.severity) { %> selected<% } %>><%= severity %></option><% } %>
</select></label>
<label>Verdict
<select name="verdict">
<option value="">Any</option>
<% for (const verdict of it.verdicts) { %><option value="<%= verdict.value %>"<% if (verdict.value === it.filter.verdict) { %> selected<% } %>><%= verdict.label %></option><% } %>
</select></label>
<label>Follow-ups
<select name="followups">
<option value="">Any</option>
<option value="open"<% if (it.filter.followups === "open") { %> selected<% } %>>Open</option>
<option value="none"<% if (it.filter.followups === "none") { %> selected<% } %>>None open</option>
</select></label>
<button type="submit">Filter</button>
</form>
<% if (it.notice) { %><p class="notice" role="status"><%= it.notice %></p><% } %>
<p role="status"><%= it.summary %></p>
<% if (it.rows.length > 0) { %>
<table class="stack">
<caption><%= it.caption %></caption>
<thead><tr>
<th scope="col">Hotfix</th><th scope="col">Date/Time</th><th scope="col">Repository</th><th scope="col">Brief description</th><th scope="col">Severity</th><th scope="col">Verdict</th><th scope="col">Merge-back</th><th scope="col">Post-incident</th>
</tr></thead>
<tbody>
<% for (const row of it.rows) { %>
<tr>
<th scope="row"><a href="<%= row.href %>"><%= row.id %></a></th>
<td data-label="Date/Time"><time datetime="<%= row.dateIso %>"><%= row.date %></time></td>
<td data-label="Repository"><%= row.repo %></td>
<td data-label="Brief description"><a href="<%= row.href %>"><%= row.title %></a></td>
<td data-label="Severity"><span class="sev <%= row.severity.level %>" aria-hidden="true"></span><%= row.severity.text %></td>
<td data-label="Verdict"><span class="badge <%= row.verdictClass %>"><%= row.verdict %></span></td>
<td data-label="Merge-back"><%= row.mergeBack %></td>
<td data-label="Post-incident"><%= row.postIncident %></td>
</tr>
<% } %>
</tbody>
</table>
<% } %>
<% if (it.pages.total > 1) { %>
<nav class="pages" aria-label="Pages of the log">
<% if (it.pages.previous) { %><a href="<%= it.pages.previous %>" rel="prev">Previous page</a><% } %>
<span>Page <%= it.pages.current %> of <%= it.pages.total %></span>
<% if (it.pages.next) { %><a href="<%= it.pages.next %>" rel="next">Next page</a><% } %>
</nav>
<% } %>
<p>Download the last six months of this log: <a href="<%= it.exports.markdown %>">Markdown (seed 002 layout)</a> · <a href="<%= it.exports.csv %>">CSV</a> · <a href="<%= it.exports.json %>">JSON</a></p>
`;

const SCOPE = `<form class="filters" method="get" action="<%= it.action %>" aria-label="<%= it.label %>">
<label>Repository
<select name="repo">
<option value="">All (<%= it.repos.length %>)</option>
<% for (const repo of it.repos) { %><option value="<%= repo %>"<% if (repo === it.repo) { %> selected<% } %>><%= repo %></option><% } %>
</select></label>
<label>Window
<select name="months">
<% for (const months of it.windows) { %><option value="<%= months %>"<% if (months === it.months) { %> selected<% } %>>Last <%= months %> months</option><% } %>
</select></label>
<button type="submit"><%= it.button %></button>
</form>`;

const FIELD = `<dt><%= it.label %></dt><dd<% if (it.pre) { %> class="pre"<% } %>><% if (it.value) { %><%= it.value %><% } else { %><span class="muted">not given</span><% } %></dd>`;

const HOTFIX = `<% layout("@layout") %>
<p><a href="<%= it.base %>">← Hotfix log</a></p>
<article class="entry">
<h1>[<%= it.id %>] <%= it.brief %></h1>
<p class="muted"><%= it.repo %> · pull request #<%= it.pullRequest %> · <%= it.headRef %> → <%= it.baseRef %> · <%= it.state %></p>
<dl>
<dt>Date/Time</dt><dd><time datetime="<%= it.dateIso %>"><%= it.date %></time></dd>
<dt>Severity</dt><dd><span class="sev <%= it.severity.level %>" aria-hidden="true"></span><%= it.severity.text %></dd>
<dt>Duration</dt><dd><%= it.duration %></dd>
<dt>Who</dt><dd><%= it.who %></dd>
<% if (it.incidentReference) { %><dt>Incident</dt><dd><%= it.incidentReference %></dd><% } %>
</dl>
<h2>The Emergency</h2>
<dl>
<% for (const field of it.emergency) { %><%~ include("@field", field) %><% } %>
</dl>
<h2>The Fix</h2>
<dl>
<% for (const field of it.fix) { %><%~ include("@field", field) %><% } %>
<dt>Files/Systems Affected</dt><dd><% if (it.files.length === 0) { %><span class="muted">none recorded</span><% } else { %><ul><% for (const file of it.files) { %><li><code><%= file %></code></li><% } %></ul><% if (it.filesMore) { %><p class="muted"><%= it.filesMore %></p><% } %><% } %><% if (it.lines) { %><p class="muted"><%= it.lines %></p><% } %></dd>
</dl>
<h2>The Context</h2>
<dl>
<% for (const field of it.context) { %><%~ include("@field", field) %><% } %>
</dl>
<h2>Audit verdict</h2>
<p><span class="badge <%= it.verdictClass %>"><%= it.verdict %></span><% if (it.auditedAt) { %> <span class="muted">audited <%= it.auditedAt %></span><% } %></p>
<% if (it.unmet.length > 0) { %><p>Requirements not met at the merge:</p><ul><% for (const item of it.unmet) { %><li><%= item %></li><% } %></ul><% } %>
<% if (it.auditDetails) { %>
<table>
<caption>Bypass justification</caption>
<tbody>
<% for (const row of it.auditDetails) { %><tr><th scope="row"><%= row.label %></th><td class="pre"><%= row.value %></td></tr><% } %>
</tbody>
</table>
<% } else if (it.auditHidden) { %><p class="notice">Who bypassed and the justification are shown to the repository's administrators and the audit team.</p><% } %>
<% if (it.auditTeamsUnchecked) { %><p class="notice">Your membership of the audit team could not be checked: the GitHub App needs the organisation permission <strong>Members: read</strong>. Until it has it, only repository administrators see audit details.</p><% } %>
<h2>Follow-up Required</h2>
<table>
<caption>Follow-up state</caption>
<thead><tr><th scope="col">Follow-up</th><th scope="col">State</th></tr></thead>
<tbody>
<% for (const row of it.followUps) { %><tr><th scope="row"><%= row.label %></th><td><% if (row.warn) { %><span class="badge warn"><%= row.value %></span><% } else { %><%= row.value %><% } %></td></tr><% } %>
</tbody>
</table>
<h2>Links</h2>
<ul>
<% for (const link of it.links) { %><li><% if (link.href) { %><a href="<%= link.href %>"><%= link.label %></a><% } else { %><%= link.label %>: <span class="muted">none</span><% } %></li><% } %>
</ul>
<h2>Timeline</h2>
<% if (it.timeline.length === 0) { %><p class="muted">No events recorded.</p><% } else { %>
<table class="stack">
<caption>What happened, oldest first</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Who</th><th scope="col">Detail</th></tr></thead>
<tbody>
<% for (const event of it.timeline) { %><tr>
<th scope="row"><time datetime="<%= event.iso %>"><%= event.time %></time></th>
<td data-label="Event"><%= event.kind %></td>
<td data-label="Who"><%= event.actor %></td>
<td data-label="Detail"><% if (event.href) { %><a href="<%= event.href %>"><%= event.detail %></a><% } else { %><%= event.detail %><% } %></td>
</tr><% } %>
</tbody>
</table>
<% } %>
</article>
`;

const METRICS = `<% layout("@layout") %>
<h1>Metrics</h1>
<%~ include("@scope", { ...it, action: it.base + "/metrics", label: "Choose repository and window", button: "Show" }) %>
<p class="muted"><%= it.windowText %></p>
<section aria-labelledby="warnings-heading">
<h2 id="warnings-heading">Warning signs</h2>
<% if (it.warnings.length === 0) { %><p>No warning sign in this window.</p><% } else { %>
<ul class="warnings">
<% for (const warning of it.warnings) { %><li><strong>⚠ <%= warning.title %>:</strong> <%= warning.message %><% if (warning.links.length > 0) { %> (<% warning.links.forEach((link, index) => { %><% if (index > 0) { %>, <% } %><a href="<%= link.href %>"><%= link.label %></a><% }) %><% if (warning.more > 0) { %> and <%= warning.more %> more<% } %>)<% } %></li><% } %>
</ul>
<% } %>
</section>
<h2>Summary</h2>
<table>
<caption>Figures for <%= it.scope %>, <%= it.windowText %></caption>
<thead><tr><th scope="col">Measure</th><th scope="col" class="num">Value</th><th scope="col">Target or threshold</th></tr></thead>
<tbody>
<% for (const row of it.summary) { %><tr><th scope="row"><%= row.label %></th><td class="num"><% if (row.warn) { %><span class="badge warn">⚠ <%= row.value %></span><% } else { %><%= row.value %><% } %></td><td><%= row.target %></td></tr><% } %>
</tbody>
</table>
<% for (const chart of it.charts) { %>
<section aria-labelledby="<%= chart.id %>-heading">
<h2 id="<%= chart.id %>-heading"><%= chart.heading %></h2>
<figure>
<%~ chart.svg %>
<figcaption><%= chart.caption %></figcaption>
</figure>
<table>
<caption><%= chart.tableCaption %></caption>
<thead><tr><% chart.columns.forEach((column, index) => { %><th scope="col"<% if (index > 0) { %> class="num"<% } %>><%= column %></th><% }) %></tr></thead>
<tbody>
<% for (const row of chart.rows) { %><tr><th scope="row"><%= row[0] %></th><% for (const cell of row.slice(1)) { %><td class="num"><%= cell %></td><% } %></tr><% } %>
</tbody>
</table>
</section>
<% } %>
<% for (const list of it.lists) { %>
<h2><%= list.heading %></h2>
<% if (list.items.length === 0) { %><p class="muted"><%= list.empty %></p><% } else { %>
<ul><% for (const item of list.items) { %><li><%= item.text %><% item.links.forEach((link) => { %> <a href="<%= link.href %>"><%= link.label %></a><% }) %><% if (item.more > 0) { %> and <%= item.more %> more<% } %></li><% } %></ul>
<% if (list.more > 0) { %><p class="muted">And <%= list.more %> more: the CSV and JSON exports list them all.</p><% } %>
<% } %>
<% } %>
<p>Download these figures with the log: <a href="<%= it.exports.csv %>">CSV</a> · <a href="<%= it.exports.json %>">JSON</a></p>
`;

const EXPORTS = `<% layout("@layout") %>
<h1>Exports</h1>
<p>The log of the repositories you can read, for teams that keep it in a repository or a spreadsheet. Audit details appear only for repositories where you may see them.</p>
<%~ include("@scope", { ...it, action: it.base + "/export", label: "Choose what to export", button: "Choose" }) %>
<table>
<caption>Downloads for <%= it.scope %>, <%= it.windowText %></caption>
<thead><tr><th scope="col">Format</th><th scope="col">What it holds</th></tr></thead>
<tbody>
<tr><th scope="row"><a href="<%= it.links.markdown %>">Markdown</a></th><td>The log in seed 002's layout: active hotfixes in full, completed ones in one line each.</td></tr>
<tr><th scope="row"><a href="<%= it.links.csv %>">CSV</a></th><td>One row per hotfix with its metrics, newest first.</td></tr>
<tr><th scope="row"><a href="<%= it.links.json %>">JSON</a></th><td>The hotfixes, their metrics and the window's metrics in one document.</td></tr>
</tbody>
</table>
`;

/** The names of the page templates. */
export type PageTemplate = "setup" | "sign-in" | "message" | "log" | "hotfix" | "metrics" | "exports";

/** What every page's layout needs. */
export interface LayoutData {
  readonly title: string;
  readonly base: string;
  /** The signed-in login; undefined hides the navigation and sign-out. */
  readonly user?: string;
  readonly csrf?: string;
  readonly nav?: readonly { readonly href: string; readonly label: string; readonly current: boolean }[];
}

const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true, useWith: false });
eta.loadTemplate("@layout", LAYOUT);
eta.loadTemplate("@field", FIELD);
eta.loadTemplate("@scope", SCOPE);
eta.loadTemplate("@setup", SETUP);
eta.loadTemplate("@sign-in", SIGN_IN);
eta.loadTemplate("@message", MESSAGE);
eta.loadTemplate("@log", LOG);
eta.loadTemplate("@hotfix", HOTFIX);
eta.loadTemplate("@metrics", METRICS);
eta.loadTemplate("@exports", EXPORTS);

/** Renders a page inside the layout. */
export function renderPage<T extends LayoutData>(template: PageTemplate, data: T): string {
  return eta.render(`@${template}`, { ...data, css: STYLESHEET });
}
