/**
 * The dashboard's stylesheet, served inline in every page (no CDN, no web fonts: the system font
 * stack), and its hash for the Content-Security-Policy, which allows this one style block and no
 * script at all. Narrow windows get one column, and the log table turns into one block per hotfix
 * with each cell labelled.
 */
import { createHash } from "node:crypto";

/** The stylesheet. */
export const STYLESHEET = `
:root{--fg:#1f2328;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--accent:#0550ae;--warn:#b3261e;--warn-bg:#fff1f0;--ok:#1a7f37;--bar:#0969da}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible{outline:3px solid #fb8c00;outline-offset:2px}
.skip{position:absolute;left:-999px}
.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center;padding:10px 20px;border-bottom:1px solid var(--line);background:var(--panel)}
.brand{margin:0;font-weight:700}
.brand a{color:var(--fg);text-decoration:none}
nav.main ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
nav.main a[aria-current=page]{font-weight:700;color:var(--fg)}
.signout{margin-left:auto;display:flex;gap:8px;align-items:center}
main{max-width:72rem;margin:0 auto;padding:16px 20px 48px}
h1{font-size:1.6rem;margin:.4em 0}
h2{font-size:1.25rem;margin:1.4em 0 .4em}
h3{font-size:1.05rem;margin:1.2em 0 .3em}
button,.button{font:inherit;padding:6px 14px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block}
.button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;padding:12px;border:1px solid var(--line);border-radius:6px;background:var(--panel)}
form.filters label{display:flex;flex-direction:column;font-size:.9rem;color:var(--muted)}
select,input{font:inherit;padding:4px 6px;border:1px solid var(--line);border-radius:6px;max-width:100%}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
caption{text-align:left;font-weight:600;padding:6px 0;color:var(--muted)}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:var(--panel);font-size:.9rem}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:.85rem;border:1px solid var(--line);white-space:nowrap}
.badge.compliant{color:var(--ok);border-color:var(--ok)}
.badge.justified-bypass{color:#9a6700;border-color:#9a6700}
.badge.unjustified-bypass,.badge.warn{color:var(--warn);border-color:var(--warn);background:var(--warn-bg)}
.muted{color:var(--muted)}
.sev{display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:.35em;background:#8c959f}
.sev.critical{background:#cf222e}
.sev.high{background:#d4a72c}
.sev.other{background:#0969da}
.pre{white-space:pre-wrap;overflow-wrap:anywhere}
.entry dl{display:grid;grid-template-columns:minmax(10rem,14rem) 1fr;gap:4px 16px;margin:0}
.entry dt{font-weight:600}
.entry dd{margin:0}
.warnings{border:2px solid var(--warn);background:var(--warn-bg);border-radius:6px;padding:8px 16px;list-style:none}
.warnings li{margin:4px 0}
.notice{border-left:4px solid var(--accent);background:var(--panel);padding:8px 12px}
.pages{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
figure{margin:16px 0}
figcaption{font-weight:600}
svg.chart{width:100%;height:auto;max-width:48rem;display:block}
svg .bar{fill:var(--bar)}
svg .bar.warn{fill:var(--warn)}
svg .track{fill:var(--panel);stroke:var(--line)}
svg .grid{stroke:var(--line);stroke-width:1}
svg .axis-line{stroke:var(--muted)}
svg .axis,svg .label,svg .value{fill:var(--fg)}
svg .mark{fill:var(--warn)}
svg .threshold,svg .target{stroke:var(--warn);stroke-width:2;stroke-dasharray:6 4}
svg .threshold-label{fill:var(--warn)}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:0 32px}
footer{max-width:72rem;margin:0 auto;padding:16px 20px;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){
  header.top{padding:8px 12px}
  main{padding:12px}
  .signout{margin-left:0}
  table.stack thead{position:absolute;left:-9999px}
  table.stack tr{display:block;border:1px solid var(--line);border-radius:6px;margin:0 0 12px;padding:4px 8px}
  table.stack th,table.stack td{display:block;border:0;padding:2px 0}
  table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
  th,td{overflow-wrap:anywhere;padding:4px}
  .entry dl{grid-template-columns:1fr}
  .entry dd{margin-bottom:8px}
}
`;

/** The CSP source for the stylesheet, `'sha256-…'`. */
export const STYLESHEET_HASH = `'sha256-${createHash("sha256").update(STYLESHEET).digest("base64")}'`;
