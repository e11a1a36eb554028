// Known-answer tests for the AES-256-GCM primitive the binary envelope uses (12-byte IV, 16-byte
// tag). Source: "The Galois/Counter Mode of Operation (GCM)", D. McGrew and J. Viega, the GCM
// specification submitted to NIST (the vectors NIST SP 800-38D points to), Appendix B, test cases
// 13 to 16 (the 256-bit-key cases with 96-bit IVs). The refusal cases follow Wycheproof's
// "ModifiedTag" idea (C2SP/wycheproof testvectors_v1/aes_gcm_test.json): the same valid
// ciphertexts with a flipped tag bit, a flipped ciphertext bit, or changed AAD.
import { aes256Gcm, isEnvelopeError } from '@portcullis/envelope';
import { describe, expect, it } from 'vitest';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';

const VECTORS = [
  {
    name: 'GCM spec test case 13',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    aad: '',
    pt: '',
    ct: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'GCM spec test case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    aad: '',
    pt: '00'.repeat(16),
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'GCM spec test case 15',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    aad: '',
    pt: P15,
    ct: C15,
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'GCM spec test case 16',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    pt: P15.slice(0, 120),
    ct: C15.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('aes256Gcm: known-answer vectors', () => {
  for (const v of VECTORS) {
    it(`${v.name}: encrypts to the published ciphertext and tag, and decrypts back`, () => {
      const sealed = aes256Gcm.encrypt(hex(v.key), hex(v.iv), hex(v.pt), hex(v.aad));
      expect(Buffer.from(sealed).toString('hex')).toBe(v.ct + v.tag);
      expect(
        Buffer.from(aes256Gcm.decrypt(hex(v.key), hex(v.iv), sealed, hex(v.aad))).toString('hex'),
      ).toBe(v.pt);
    });

    it(`${v.name}: a flipped tag bit, ciphertext bit or AAD byte is refused as tampered`, () => {
      const sealed = hex(v.ct + v.tag);
      const cases: [Uint8Array, Uint8Array][] = [];
      for (const at of [sealed.length - 1, sealed.length - 16, 0]) {
        const copy = sealed.slice();
        copy[at] = (copy[at] as number) ^ 0x01;
        cases.push([copy, hex(v.aad)]);
      }
      cases.push([sealed, new Uint8Array([...hex(v.aad), 0])]);
      for (const [c, aad] of cases) {
        let caught: unknown;
        try {
          aes256Gcm.decrypt(hex(v.key), hex(v.iv), c, aad);
        } catch (error) {
          caught = error;
        }
        expect(isEnvelopeError(caught, 'ERR_ENVELOPE_TAMPERED')).toBe(true);
      }
    });
  }

  it('refuses IVs that are not 12 bytes (Wycheproof LongIv / SmallIv / ZeroLengthIv) and short keys as misuse', () => {
    for (const iv of [new Uint8Array(0), new Uint8Array(8), new Uint8Array(16)])
      expect(() =>
        aes256Gcm.encrypt(new Uint8Array(32), iv, new Uint8Array(1), new Uint8Array()),
      ).toThrow(TypeError);
    expect(() =>
      aes256Gcm.encrypt(
        new Uint8Array(16),
        new Uint8Array(12),
        new Uint8Array(1),
        new Uint8Array(),
      ),
    ).toThrow(TypeError);
  });
});
