/**
 * A {@link Message} in each channel's format: Slack mrkdwn text (the same for incoming webhooks
 * and `chat.postMessage`), a Microsoft Teams Adaptive Card message (what Teams workflow webhooks
 * accept), and the generic webhook's JSON. Every value is user text until proven otherwise, so
 * each format escapes every value and link label with its own escaper.
 */
import type { NotifyEventName } from "../config/schema-notifications.js";
import { escapeSlack, escapeTeams, flatten, slackUrl } from "./escape.js";
import type { Digest, HotfixSummary, NotifyDetails } from "./events.js";
import type { Message, MessageLink } from "./messages.js";

/** The links a channel may show: http(s) only (a deployment's `target_url` is anyone's text). */
function links(message: Message): MessageLink[] {
  return message.links.filter((link) => URL.canParse(link.url) && /^https?:$/.test(new URL(link.url).protocol));
}

/** Slack mrkdwn: a bold headline, `*Label:* value` lines, and `<url|label>` links. */
export function slackText(message: Message): string {
  return [
    `*${message.headline}*`,
    ...message.fields.map((field) => `*${field.label}:* ${escapeSlack(field.value)}`),
    links(message).map((link) => `<${slackUrl(link.url)}|${escapeSlack(link.label, 100)}>`).join(" · "),
  ]
    .filter(Boolean)
    .join("\n");
}

/** A Teams Adaptive Card (schema 1.4) in the message envelope a Teams workflow webhook posts to its channel. */
export function teamsCard(message: Message): object {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: message.headline, weight: "Bolder", size: "Medium", wrap: true },
            { type: "FactSet", facts: message.fields.map((field) => ({ title: field.label, value: escapeTeams(field.value) })) },
          ],
          actions: links(message).map((link) => ({ type: "Action.OpenUrl", title: flatten(link.label, 100), url: link.url })),
        },
      },
    ],
  };
}

/** The plain text of a message: its headline, `Label: value` lines and links, for logs, docs and the webhook's `text`. */
export function plainText(message: Message): string {
  return [message.headline, ...message.fields.map((field) => `${field.label}: ${flatten(field.value)}`), ...links(message).map((link) => `${link.label}: ${link.url}`)].join("\n");
}

/**
 * The generic webhook's JSON: the event, the hotfix and its details as data (user text raw: the
 * receiver escapes for wherever it shows it), and the message as plain text.
 */
export function webhookBody(event: NotifyEventName, hotfix: HotfixSummary, details: NotifyDetails, message: Message, deliveryId: string): object {
  return {
    event,
    delivery: deliveryId,
    repository: hotfix.repo,
    pull_request: hotfix.number,
    hotfix,
    details,
    message: { headline: message.headline, fields: message.fields, links: links(message), text: plainText(message) },
  };
}

/** The generic webhook's JSON of a weekly digest: the digest as data (user text raw) and the message as plain text. */
export function digestWebhookBody(digest: Digest, message: Message, deliveryId: string): object {
  return { event: "weekly-digest", delivery: deliveryId, digest, message: { headline: message.headline, fields: message.fields, links: links(message), text: plainText(message) } };
}
