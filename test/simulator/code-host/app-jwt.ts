import { createSign, type KeyObject } from 'node:crypto';

/** The JWT a GitHub App signs for itself (what @octokit/auth-app sends): RS256, issued now, 9 minutes. */
export function signAppJwt(iss: number, key: KeyObject): string {
  const seconds = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: seconds - 30, exp: seconds + 540, iss })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
  return `${unsigned}.${signature}`;
}
