/**
 * The dashboard's downloads: the log as Markdown in seed 002's layout, as CSV and as JSON, for the
 * repositories the user can read, with audit details only where the user may see them: the text
 * exports are told which repositories may show them, the JSON is reduced here.
 */
import type { HotfixLogReader, MetricsWindow, RepoName } from "../log/model.js";
import type { UserAccess } from "./access.js";
import { seesAuditDetails, visibleExport } from "./visibility.js";

/** The export formats, by file extension. */
export type ExportFormat = "md" | "csv" | "json";

/** A file to download. */
export interface ExportDocument {
  readonly filename: string;
  readonly contentType: string;
  readonly body: string;
}

/** Builds one export for the user. */
export async function exportDocument(reader: HotfixLogReader, access: UserAccess, format: ExportFormat, repos: readonly RepoName[], window: MetricsWindow): Promise<ExportDocument> {
  const stamp = window.until.slice(0, 10);
  if (format === "json") {
    const data = visibleExport(access, await reader.exportJson(repos, window));
    return { filename: `hotfix-log-${stamp}.json`, contentType: "application/json; charset=utf-8", body: `${JSON.stringify(data, null, 2)}\n` };
  }
  const options = { auditDetails: repos.filter((repo) => seesAuditDetails(access, repo)) };
  if (format === "csv") return { filename: `hotfix-log-${stamp}.csv`, contentType: "text/csv; charset=utf-8", body: await reader.exportCsv(repos, window, options) };
  return { filename: `hotfix-log-${stamp}.md`, contentType: "text/markdown; charset=utf-8", body: await reader.exportMarkdown(repos, window, options) };
}
