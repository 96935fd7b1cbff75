/**
 * A text file read from a repository for the app's own use (the team's post-incident template):
 * the door reports what happened, and the renderer says so, so that a failed read is never
 * mistaken for a missing file.
 */

/** The outcome of reading a text file from a repository's default branch. */
export type RepositoryTextFile =
  | { readonly kind: "found"; readonly path: string; readonly text: string }
  | { readonly kind: "missing"; readonly path: string }
  | { readonly kind: "failed"; readonly path: string; readonly reason: string };
