/** How long an SMTP conversation may wait at each step before it fails. */
export interface SmtpTimeouts {
  /** Until the TCP connection is made. */
  connectionTimeoutMs: number;
  /** From connecting to the server's greeting. */
  greetingTimeoutMs: number;
  /** Any silence of the server once connected, DATA included. */
  socketTimeoutMs: number;
}

// nodemailer waits up to 2 minutes to connect and 10 minutes of silence
// mid-DATA; a support person waiting on the CLI should know within a minute.
export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = {
  connectionTimeoutMs: 15_000,
  greetingTimeoutMs: 15_000,
  socketTimeoutMs: 60_000,
};
