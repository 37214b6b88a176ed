// The OpenID providers of the single sign-on tests, on 127.0.0.1 over http (hallpass allows
// that issuer only with HALLPASS_OIDC_TEST_LOOPBACK=1).
//
// Two issuers, each on a port of its own:
// - "real": the npm package oidc-provider with the clients and accounts the test gives, its
//   own login page (devInteractions: any password for a known login) and consent given
//   without asking. POST /control/rotate on the control port gives it a new signing key,
//   published first in its JWKS, the old one kept after it, as a provider rotates.
// - "fake": a small provider of our own for the tokens oidc-provider never makes: its
//   /authorize sends the browser straight back with a code, and its /token answers an ID
//   token flawed as the test last asked (POST /control/flaw {"flaw": ...} on the control
//   port): a forged signature, another audience, an expired token, a wrong nonce, the
//   algorithm "none" or HS256, or an ES256 token that is good ("good": no flaw). Signed with Node's own crypto and keys this script controls.
//
// Reads its setup as JSON on the command line: {"clients": [...], "accounts": {id: {email,
// email_verified}}, "fake_client": {client_id, client_secret, redirect_uri}}. Prints one
// line of JSON, {"real": ISSUER, "fake": ISSUER, "control": URL}, once listening, and runs
// until killed.

import { createHash, createHmac, createSign, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const setup = JSON.parse(process.argv[2] || '{}');

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => handler.current(req, res));
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function rsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function ecKey() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'ES256' };
}

function publicJwk(jwk) {
  const { d, p, q, dp, dq, qi, ...pub } = jwk; // eslint-disable-line no-unused-vars
  return pub;
}

// ---- The real provider ----

const realHandler = { current: null };
const realPort = await listen(realHandler);
const realIssuer = `http://127.0.0.1:${realPort}`;
const keys = [rsaKey()];

function makeProvider() {
  const provider = new Provider(realIssuer, {
    clients: setup.clients || [],
    jwks: { keys },
    findAccount: async (ctx, id) => {
      const account = (setup.accounts || {})[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: account.email, email_verified: account.email_verified }),
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false, // The email in the ID token, not only from userinfo.
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['hallpass-tests-cookie-key'] },
    // Consent is not what these tests are about: every client gets openid and email.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
  });
  return provider.callback();
}
realHandler.current = makeProvider();

// ---- The fake provider ----

const fakeHandler = { current: null };
const fakePort = await listen(fakeHandler);
const fakeIssuer = `http://127.0.0.1:${fakePort}`;
const fakeRsa = rsaKey();
const fakeEc = ecKey();
const forger = rsaKey(); // Never published.
const fake = setup.fake_client || {};
const codes = new Map(); // code -> {nonce, challenge}
let flaw = 'good';
let fakeEmail = 'teacher@lincoln.test';

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

function jwt(header, claims, jwk) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const key = { key: jwk, format: 'jwk' };
  if (header.alg === 'none') return `${input}.`;
  // HS256 keyed by the published public key: the confusion a verifier must never fall for.
  if (header.alg === 'HS256') return `${input}.${b64url(createHmac('sha256', JSON.stringify(publicJwk(jwk))).update(input).digest())}`;
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { ...key, dsaEncoding: 'ieee-p1363' })
      : createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${b64url(signature)}`;
}

function idToken(nonce) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: fakeIssuer,
    sub: 'fake-1',
    aud: fake.client_id,
    iat: now,
    exp: now + 300,
    nonce,
    email: fakeEmail,
    email_verified: true,
  };
  let key = fakeRsa;
  let kid = fakeRsa.kid;
  if (flaw === 'audience') claims.aud = 'another-client';
  if (flaw === 'expired') Object.assign(claims, { iat: now - 400, exp: now - 120 });
  if (flaw === 'nonce') claims.nonce = 'not-the-nonce';
  if (flaw === 'forged') key = forger; // The published key's kid, another key's signature.
  if (flaw === 'es256') (key = fakeEc), (kid = fakeEc.kid);
  const alg = { alg_none: 'none', hs256: 'HS256' }[flaw] || key.alg;
  return jwt({ alg, kid, typ: 'JWT' }, claims, key);
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => resolve(text));
  });
}

fakeHandler.current = async (req, res) => {
  const url = new URL(req.url, fakeIssuer);
  if (url.pathname === '/.well-known/openid-configuration')
    return send(res, 200, {
      issuer: fakeIssuer,
      authorization_endpoint: `${fakeIssuer}/authorize`,
      token_endpoint: `${fakeIssuer}/token`,
      jwks_uri: `${fakeIssuer}/jwks`,
    });
  if (url.pathname === '/jwks') return send(res, 200, { keys: [publicJwk(fakeRsa), publicJwk(fakeEc)] });
  if (url.pathname === '/authorize') {
    const q = url.searchParams;
    const code = randomUUID();
    codes.set(code, { nonce: q.get('nonce'), challenge: q.get('code_challenge') });
    const back = new URL(q.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state'));
    res.writeHead(302, { Location: back.toString() });
    return res.end();
  }
  if (url.pathname === '/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const basic = Buffer.from(`${encodeURIComponent(fake.client_id)}:${encodeURIComponent(fake.client_secret)}`).toString('base64');
    if (req.headers.authorization !== `Basic ${basic}`) return send(res, 401, { error: 'invalid_client' });
    const grant = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    const challenge = createHash('sha256').update(form.get('code_verifier') || '').digest('base64url');
    if (!grant || grant.challenge !== challenge) return send(res, 400, { error: 'invalid_grant' });
    return send(res, 200, { access_token: 'x', token_type: 'Bearer', id_token: idToken(grant.nonce) });
  }
  return send(res, 404, { error: 'not_found' });
};

// ---- Control ----

const controlHandler = { current: null };
const controlPort = await listen(controlHandler);
controlHandler.current = async (req, res) => {
  const body = JSON.parse((await readBody(req)) || '{}');
  if (req.url === '/control/rotate') {
    keys.unshift(rsaKey());
    realHandler.current = makeProvider();
    return send(res, 200, { kids: keys.map((k) => k.kid) });
  }
  if (req.url === '/control/flaw') {
    flaw = body.flaw || 'good';
    if (body.email) fakeEmail = body.email;
    return send(res, 200, { flaw });
  }
  if (req.url === '/control/kids') return send(res, 200, { kids: keys.map((k) => k.kid) });
  return send(res, 404, { error: 'not_found' });
};

console.log(JSON.stringify({ real: realIssuer, fake: fakeIssuer, control: `http://127.0.0.1:${controlPort}` }));
