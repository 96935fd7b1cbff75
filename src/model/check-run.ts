/**
 * What a check run says, as the renderers produce it and the GitHub door writes and reads it
 * back. The shared model, so renderers need not import the door.
 */

/** The output of a check run, as written and as read back. */
export interface CheckRunOutput {
  readonly name: string;
  readonly conclusion: "success" | "failure" | "neutral";
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
}
