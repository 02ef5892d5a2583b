import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openBlob, readBlobHeader, sealBlob } from './ciphertext-blob.js';

const keyId = randomUUID();
const material = randomBytes(32);
const key = { keyId, version: 3, material };
const context = { pipeline: 'deploy', execution: 'e-1' };
const plaintext = Buffer.from('the artifact data key');

describe('ciphertext blob', () => {
  it('names its key and material version, and opens with the same context in any order', () => {
    const blob = sealBlob(key, plaintext, context);
    expect(readBlobHeader(blob)).toEqual({ keyId, version: 3 });
    expect(openBlob(blob, material, { execution: 'e-1', pipeline: 'deploy' })).toEqual(plaintext);
  });

  it('refuses a different, missing or extra encryption context', () => {
    const blob = sealBlob(key, plaintext, context);
    for (const other of [{ ...context, execution: 'e-2' }, {}, { ...context, stage: 'Build' }]) {
      expect(() => openBlob(blob, material, other)).toThrow(
        expect.objectContaining({ code: 'InvalidCiphertextException' }),
      );
    }
  });

  it('refuses a blob with any single byte flipped, header included', () => {
    const blob = sealBlob(key, plaintext, context);
    for (let index = 0; index < blob.length; index += 1) {
      const forged = Buffer.from(blob);
      forged[index] = (forged[index] ?? 0) ^ 0x01;
      expect(() => openBlob(forged, material, context), `byte ${index}`).toThrow(
        expect.objectContaining({ code: 'InvalidCiphertextException' }),
      );
    }
  });

  it('refuses the material of another version', () => {
    const blob = sealBlob(key, plaintext, context);
    expect(() => openBlob(blob, randomBytes(32), context)).toThrow(
      expect.objectContaining({ code: 'InvalidCiphertextException' }),
    );
  });

  it('does not read a header from bytes it did not make', () => {
    expect(readBlobHeader(Buffer.from('short'))).toBeUndefined();
    const blob = sealBlob(key, plaintext, context);
    blob[0] = 2;
    expect(readBlobHeader(blob)).toBeUndefined();
  });
});
