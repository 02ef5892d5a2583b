import { createHmac } from 'node:crypto';

/**
 * SigV4 signing keys, derived once per (secret, date, region, service) and kept in a small
 * least-recently-used map: deriving costs four HMACs, and every request needs one, but a key
 * changes only daily, so a handful of entries serves a busy server.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 64) {}

  /** Returns the signing key, deriving it (HMAC chain date, region, service, aws4_request). */
  get(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    // Date, region and service never contain a newline (they are validated first), and the
    // secret comes last, so distinct tuples cannot collide.
    const cacheKey = `${date}\n${region}\n${service}\n${secretAccessKey}`;
    const cached = this.keys.get(cacheKey);
    if (cached !== undefined) {
      // Re-insert so Map order tracks recency.
      this.keys.delete(cacheKey);
      this.keys.set(cacheKey, cached);
      return cached;
    }
    const key = [date, region, service, 'aws4_request'].reduce<Buffer>(
      (parent, part) => createHmac('sha256', parent).update(part, 'utf8').digest(),
      Buffer.from(`AWS4${secretAccessKey}`, 'utf8'),
    );
    this.keys.set(cacheKey, key);
    if (this.keys.size > this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    return key;
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    return this.keys.size;
  }
}
