/**
 * Release-guard scenarios: the release candidate's commit and a GitHub release published (a tag
 * created is `tagCreatedEvent` of the audit fixtures).
 */
import { pullRequestEvent } from "./fixtures.js";

/** The release candidate's commit: a release pull request's head, a tag's commit. */
export const RELEASE_SHA = "ab".repeat(20);

/** A `release.published` delivery of the release of `tag`, targeting `commitish` (a branch or a sha). */
export function releasePublishedEvent(tag: string, commitish: string): { id: string; name: "release"; payload: any } {
  const { repository, installation, sender } = pullRequestEvent("opened").payload;
  return {
    id: `delivery-release-${tag}`,
    name: "release",
    payload: { action: "published", release: { id: 1, tag_name: tag, target_commitish: commitish, name: tag, draft: false, prerelease: false }, repository, installation, sender },
  };
}
