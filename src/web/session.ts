/**
 * Dashboard sessions and the short-lived OAuth state, both kept in cookies.
 *
 * The session cookie holds the user's GitHub token encrypted with AES-256-GCM (authenticated: any
 * change to the cookie makes it unreadable) under a key derived from `SESSION_SECRET`. Why in the
 * cookie and not in a server-side map: the app runs as several replicas behind one address (see
 * docs/deploy.md), and any replica must be able to serve any request, as it does for webhooks;
 * a map in one process would sign users out whenever the load balancer picked another replica or
 * the process restarted. The expiry is inside the encrypted payload, so an old cookie replayed
 * after it is refused; signing out revokes the token at GitHub, so a copied cookie is useless
 * afterwards too. The OAuth `state` cookie is HMAC-signed (it holds no secret, only the nonce).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/** A signed-in user, as the session cookie carries it. */
export interface Session {
  /** A random id: keys the per-session access cache and the CSRF token. */
  readonly id: string;
  readonly login: string;
  /** The user's GitHub token (a GitHub App user-to-server token). */
  readonly token: string;
  /** When the session ends, epoch milliseconds. */
  readonly expiresAt: number;
}

/** What the OAuth state cookie binds: the nonce sent to GitHub and where to return afterwards. */
export interface OAuthState {
  readonly nonce: string;
  /** A path under the dashboard; never an absolute URL. */
  readonly returnTo: string;
  readonly expiresAt: number;
}

/** How long a sign-in may take between leaving for GitHub and coming back. */
export const STATE_TTL_MS = 10 * 60_000;

function b64(buffer: Buffer): string {
  return buffer.toString("base64url");
}

/** Seals and opens the dashboard's cookies with keys derived from one secret. */
export class CookieSealer {
  readonly #encryptionKey: Buffer;
  readonly #signingKey: Buffer;

  /** Derives independent encryption and signing keys from `secret` (HKDF-SHA256). */
  constructor(secret: string) {
    this.#encryptionKey = Buffer.from(hkdfSync("sha256", secret, "hotfix-guard", "dashboard session encryption", 32));
    this.#signingKey = Buffer.from(hkdfSync("sha256", secret, "hotfix-guard", "dashboard signatures", 32));
  }

  /** The session cookie's value. */
  sealSession(session: Session): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#encryptionKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify({ v: 1, ...session }), "utf8"), cipher.final()]);
    return b64(Buffer.concat([iv, cipher.getAuthTag(), body]));
  }

  /** The session in a cookie value, or undefined when it was tampered with, is malformed or has expired. */
  openSession(value: string | undefined, now: Date): Session | undefined {
    if (!value || value.length > 4096) return undefined;
    const raw = Buffer.from(value, "base64url");
    if (raw.length < 12 + 16 + 1) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#encryptionKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      const parsed = JSON.parse(json) as Partial<Session> & { v?: number };
      if (parsed.v !== 1 || typeof parsed.id !== "string" || typeof parsed.login !== "string" || typeof parsed.token !== "string" || typeof parsed.expiresAt !== "number") return undefined;
      if (parsed.expiresAt <= now.getTime()) return undefined;
      return { id: parsed.id, login: parsed.login, token: parsed.token, expiresAt: parsed.expiresAt };
    } catch {
      return undefined;
    }
  }

  /** The OAuth state cookie's value: the state as JSON, then its HMAC. */
  signState(state: OAuthState): string {
    const body = b64(Buffer.from(JSON.stringify(state), "utf8"));
    return `${body}.${this.sign(`state|${body}`)}`;
  }

  /** The state in a cookie value, or undefined when unsigned, tampered with or expired. */
  verifyState(value: string | undefined, now: Date): OAuthState | undefined {
    if (!value || value.length > 2048) return undefined;
    const [body, signature, extra] = value.split(".");
    if (!body || !signature || extra !== undefined || !this.verify(`state|${body}`, signature)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<OAuthState>;
      if (typeof parsed.nonce !== "string" || typeof parsed.returnTo !== "string" || typeof parsed.expiresAt !== "number") return undefined;
      if (parsed.expiresAt <= now.getTime()) return undefined;
      return { nonce: parsed.nonce, returnTo: parsed.returnTo, expiresAt: parsed.expiresAt };
    } catch {
      return undefined;
    }
  }

  /** The CSRF token of a session: forms that change state carry it, and it changes with every sign-in. */
  csrfToken(session: Session): string {
    return this.sign(`csrf|${session.id}`);
  }

  /** Whether `token` is the session's CSRF token. */
  checkCsrf(session: Session, token: string | undefined): boolean {
    return typeof token === "string" && this.verify(`csrf|${session.id}`, token);
  }

  private sign(message: string): string {
    return b64(createHmac("sha256", this.#signingKey).update(message).digest());
  }

  private verify(message: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(message));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** A fresh random id or nonce (128 bits). */
export function randomId(): string {
  return b64(randomBytes(16));
}
