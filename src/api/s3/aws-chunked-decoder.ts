/**
 * The `aws-chunked` body encoding S3 clients use for uploads of unknown length or with a
 * trailing checksum: `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` repeated, a final
 * chunk of size 0, then optional trailer lines (`x-amz-checksum-crc32:<base64>`) and an empty
 * line. In the signed modes (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) every chunk's
 * signature chains from the previous one, starting at the request's own signature, so a changed,
 * dropped or reordered chunk is refused; the trailer is signed too.
 *
 * Data flows on as it arrives, before its chunk's signature is checked at the chunk's end: the
 * consumer stores nothing until the stream ends cleanly, so a refused chunk leaves no object.
 */
import { createHash, createHmac, timingSafeEqual, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidSignatureException, LockstepError } from '../../errors/lockstep-error.js';
import { IncompleteBody } from '../../objects/object-errors.js';
import { SIGV4_MESSAGES } from '../auth/sigv4-messages.js';
import type { SigV4Seed } from '../auth/verify-sigv4.js';

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const MAX_LINE_BYTES = 4096;
const CRLF = Buffer.from('\r\n');

/** How the chunks are signed: with the request's seed, or not at all (TLS protects them). */
export type ChunkSigning = { kind: 'signed'; seed: SigV4Seed } | { kind: 'unsigned' };

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  /** Trailer headers (lower-case names), complete once the stream has ended. */
  readonly trailers = new Map<string, string>();
  private state: State = 'size';
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private chunkSignature = '';
  private chunkHash: Hash | undefined;
  private previousSignature: string;
  private decodedBytes = 0;
  private readonly trailerLines: string[] = [];
  private trailerSignature: string | undefined;

  constructor(
    private readonly signing: ChunkSigning,
    /** x-amz-decoded-content-length, when the client sent it. */
    private readonly decodedLength: number | undefined,
  ) {
    super();
    this.previousSignature = signing.kind === 'signed' ? signing.seed.signature : '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    try {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
      while (this.pending.length > 0 && this.step());
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback) {
    if (this.state !== 'done') {
      callback(new IncompleteBody({}, 'The aws-chunked body ended before its final chunk.'));
      return;
    }
    if (this.decodedLength !== undefined && this.decodedBytes !== this.decodedLength) {
      callback(
        new IncompleteBody(
          {},
          `The body decoded to ${this.decodedBytes} bytes, not the ${this.decodedLength} that x-amz-decoded-content-length declared.`,
        ),
      );
      return;
    }
    callback();
  }

  /** Consumes what it can of `pending`; false when it needs more bytes. */
  private step(): boolean {
    switch (this.state) {
      case 'size':
        return this.readLine((line) => this.startChunk(line));
      case 'data':
        return this.passData();
      case 'data-end':
        if (this.pending.length < 2) return false;
        if (!this.pending.subarray(0, 2).equals(CRLF)) throw malformed('a chunk not ended by CRLF');
        this.pending = this.pending.subarray(2);
        this.state = 'size';
        return true;
      case 'trailer':
        return this.readLine((line) => this.trailerLine(line));
      case 'done':
        throw malformed('data after the final chunk');
    }
  }

  /** Takes one CRLF-terminated line off `pending`; false when it is not all here yet. */
  private readLine(use: (line: string) => void): boolean {
    const end = this.pending.indexOf(CRLF);
    if (end < 0) {
      if (this.pending.length > MAX_LINE_BYTES) throw malformed('a chunk header too long');
      return false;
    }
    const line = this.pending.subarray(0, end).toString('latin1');
    this.pending = this.pending.subarray(end + 2);
    use(line);
    return true;
  }

  private startChunk(line: string): void {
    const [sizeText = '', ...extensions] = line.split(';');
    if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw malformed(`a chunk size of '${sizeText}'`);
    this.remaining = parseInt(sizeText, 16);
    if (this.signing.kind === 'signed') {
      const signature = extensions.find((e) => e.startsWith('chunk-signature='))?.slice(16);
      if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature)) {
        throw malformed('a chunk without its chunk-signature');
      }
      this.chunkSignature = signature;
      this.chunkHash = createHash('sha256');
    }
    if (this.remaining === 0) {
      this.verifyChunk();
      this.state = 'trailer';
    } else {
      this.state = 'data';
    }
  }

  private passData(): boolean {
    const take = Math.min(this.remaining, this.pending.length);
    const data = this.pending.subarray(0, take);
    this.pending = this.pending.subarray(take);
    this.remaining -= take;
    this.decodedBytes += take;
    this.chunkHash?.update(data);
    this.push(data);
    if (this.remaining === 0) {
      this.verifyChunk();
      this.state = 'data-end';
    }
    return true;
  }

  private trailerLine(raw: string): void {
    const line = raw.replace(/[\r\n]+$/, '');
    if (line === '') {
      this.verifyTrailer();
      this.state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`a trailer line '${line}'`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSignature = value;
      return;
    }
    this.trailers.set(name, value);
    this.trailerLines.push(`${name}:${value}\n`);
  }

  private verifyChunk(): void {
    if (this.signing.kind !== 'signed' || !this.chunkHash) return;
    const { seed } = this.signing;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      seed.amzDate,
      seed.credentialScope,
      this.previousSignature,
      EMPTY_SHA256,
      this.chunkHash.digest('hex'),
    ].join('\n');
    this.previousSignature = checkSignature(seed, stringToSign, this.chunkSignature);
  }

  /** In STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, the trailer carries its own signature. */
  private verifyTrailer(): void {
    if (this.signing.kind !== 'signed' || !this.signing.seed.payloadHash.endsWith('-TRAILER')) {
      return;
    }
    const { seed } = this.signing;
    if (this.trailerSignature === undefined) throw malformed('a trailer without its signature');
    const trailerHash = createHash('sha256').update(this.trailerLines.join('')).digest('hex');
    const stringToSign = [
      'AWS4-HMAC-SHA256-TRAILER',
      seed.amzDate,
      seed.credentialScope,
      this.previousSignature,
      trailerHash,
    ].join('\n');
    checkSignature(seed, stringToSign, this.trailerSignature);
  }
}

/** Compares a chunk's signature with the one its string to sign gives; returns it. */
function checkSignature(seed: SigV4Seed, stringToSign: string, provided: string): string {
  const expected = createHmac('sha256', seed.signingKey).update(stringToSign).digest();
  const given = Buffer.from(provided, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidSignatureException(SIGV4_MESSAGES.signatureMismatch);
  }
  return provided;
}

function malformed(what: string): LockstepError {
  return new LockstepError('InvalidRequest', `The aws-chunked body is malformed: ${what}.`);
}
