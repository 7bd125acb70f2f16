// A real OpenID Provider for the tests: the certified npm package oidc-provider on 127.0.0.1.
//
// Usage: node tests/oidc/provider.mjs CONFIG.json
// CONFIG: {"clients": [oidc-provider client metadata...], "accounts": {"ada": {"groups": [...]}}}
// Prints "ISSUER http://127.0.0.1:PORT" once it listens on a free port.
//
// Sign-in is a minimal, non-interactive-friendly form: /interaction/:uid asks for a username (any
// account of CONFIG), consent is granted automatically (a first-party client). For the tests of
// Rapport's checks, POST /test-control switches the provider into a misbehaving mode at run time:
//   {"clockOffsetSeconds": -7200}          the provider's clock runs behind (tokens arrive expired)
//   {"idTokenClaims": {"aud": "other"}}    the ID token is re-signed with the provider's key after
//                                          these claims are overwritten (a token for another client)
//   {"foreignKey": true}                   the ID token is re-signed with a key not in the JWKS
//   {"accounts": {...}}                    replace accounts (group changes at the provider)
import http from 'node:http';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const control = { clockOffsetSeconds: 0, idTokenClaims: null, foreignKey: false, accounts: config.accounts };

const realNow = Date.now;
Date.now = () => realNow() + control.clockOffsetSeconds * 1000;

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const providerKey = await signingKey('rapport-test-key');
const foreignKey = await signingKey('foreign-key');

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><h1>${title}</h1>${body}</body></html>`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function findAccount(ctx, id) {
  const account = control.accounts[id];
  if (!account) return undefined;
  return {
    accountId: id,
    async claims() {
      return {
        sub: id, preferred_username: id, name: account.name || id,
        email: account.email || `${id}@example.test`, groups: account.groups || [],
      };
    },
  };
}

async function reSign(idToken) {
  const claims = { ...jose.decodeJwt(idToken), ...(control.idTokenClaims || {}) };
  const jwk = control.foreignKey ? foreignKey : providerKey;
  const key = await jose.importJWK(jwk, 'RS256');
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(key);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(provider, details) {
  const { prompt: { details: missing }, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  return { consent: { grantId: await grant.save() } };
}

function loginForm(uid, error = '') {
  return page('Sign in to the test provider', `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}`
    + `<form method="post" action="/interaction/${uid}/login">`
    + '<label for="login">Username</label><input id="login" name="login" autofocus>'
    + '<button type="submit">Sign in</button></form>');
}

async function interactions(provider, ctx, next) {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'consent') {
    result = await grantConsent(provider, details);
  } else if (ctx.method === 'POST' && match[2]) {
    const login = (await readForm(ctx.req)).get('login') || '';
    if (!control.accounts[login]) {
      ctx.type = 'html';
      ctx.body = loginForm(match[1], `There is no account called ${login}.`);
      return undefined;
    }
    result = { login: { accountId: login } };
  } else {
    ctx.type = 'html';
    ctx.body = loginForm(match[1]);
    return undefined;
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true }));
  return undefined;
}

async function testControl(ctx, next) {
  if (ctx.path !== '/test-control' || ctx.method !== 'POST') return next();
  Object.assign(control, await readJson(ctx.req));
  ctx.body = { ok: true };
  return undefined;
}

async function rewriteIdToken(ctx, next) {
  await next();
  const rewrite = control.idTokenClaims || control.foreignKey;
  if (ctx.path === '/token' && ctx.status === 200 && rewrite && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await reSign(ctx.body.id_token) };
  }
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    findAccount,
    jwks: { keys: [providerKey] },
    cookies: { keys: ['rapport-test-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out of the test provider', `${form}<button type="submit" form="op.logoutForm" `
            + 'name="logout" value="yes">Yes, sign me out</button>');
        },
      },
    },
    ttl: {
      AccessToken: 3600, AuthorizationCode: 600, IdToken: 600, Interaction: 86400,
      Session: 86400 * 7, Grant: 86400 * 7,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Provider error', `<p>${escapeHtml(out.error)}: ${escapeHtml(out.error_description || '')}</p>`);
    },
  });
  provider.use(testControl);
  provider.use(rewriteIdToken);
  provider.use((ctx, next) => interactions(provider, ctx, next));
  server.on('request', provider.callback());
  process.stdout.write(`ISSUER ${issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
