// lib.test.mjs — the harness's own pieces that need no browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totp } from './lib.mjs';

test('totp matches the RFC 6238 SHA-1 vectors', () => {
  // RFC 6238 appendix B: secret "12345678901234567890" (base32 below), 8 digits
  // there; the last 6 digits are the 6-digit code.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  for (const [seconds, code8] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [2000000000, '69279037']]) {
    assert.equal(totp(secret, seconds * 1000), code8.slice(2));
  }
});
