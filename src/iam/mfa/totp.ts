/**
 * TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA-1 and 30-second steps, as virtual MFA
 * apps compute it. Codes are compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The length of a TOTP time step, in seconds (RFC 6238's default, and IAM's). */
export const TOTP_STEP_SECONDS = 30;

/** The TOTP time step at an instant. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

/** The code of one time step: HOTP of the step counter, `digits` long with leading zeros. */
export function totpCode(seed: Uint8Array, step: number, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', seed).update(counter).digest();
  // RFC 4226 dynamic truncation: the low nibble of the last byte picks four bytes.
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The first of `steps` whose 6-digit code is `code`, or undefined. Every candidate is computed. */
export function findTotpStep(
  seed: Uint8Array,
  code: string,
  steps: readonly number[],
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const given = Buffer.from(code);
  let found: number | undefined;
  for (const step of steps) {
    // No early exit, so the time taken says nothing about which step matched.
    if (timingSafeEqual(Buffer.from(totpCode(seed, step)), given)) found ??= step;
  }
  return found;
}
