// Signing a therapist in and out, and the bearer token every GraphQL call of theirs carries.
//
// The token lives in memory and in this tab's sessionStorage ("directory.auth"), never in
// localStorage or a cookie: it is gone when the tab closes, and no other tab or site reads it.
// Production signs in with OpenID Connect (authorization code + PKCE S256) at the provider the
// gateway names in /auth/config; a developer's machine offers a development token instead
// (POST /auth/dev-token, which exists only there). The sign-in page is pages/signin.js.

const TOKEN_KEY = "directory.auth";
// A sign-in in flight at the provider: state, code_verifier, nonce and where to go afterwards.
// Kept only for the round trip and removed as soon as the provider's answer arrives.
const PENDING_KEY = "directory.auth.pending";
const DEFAULT_RETURN = "/me";
// setTimeout's longest delay; a token living longer is re-checked then.
const LONGEST_TIMER = 2 ** 31 - 1;

export class SignInError extends Error {
  constructor(message, { field = null } = {}) {
    super(message);
    this.field = field;
  }
}

let token = null;
let expiryTimer = null;
let ended = false;
let lastError = null;
let configRequest = null;
const listeners = new Set();

function stored(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null; // storage disabled: the token then lives in memory only
  }
}

function store(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // See stored().
  }
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

/** The claims of a JWT, read without checking its signature (the services check it), or null. */
export function decodeClaims(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0))));
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}

function isLive(claims) {
  return Boolean(claims) && typeof claims.exp === "number" && claims.exp * 1000 > Date.now();
}

function notify(reason) {
  const change = { reason, signedIn: token !== null, account: account() };
  for (const listener of listeners) {
    try {
      listener(change);
    } catch (error) {
      console.error(error);
    }
  }
}

function forget() {
  token = null;
  clearTimeout(expiryTimer);
  expiryTimer = null;
  store(TOKEN_KEY, null);
  store(PENDING_KEY, null);
}

function scheduleExpiry(claims) {
  clearTimeout(expiryTimer);
  const delay = Math.min(claims.exp * 1000 - Date.now(), LONGEST_TIMER);
  expiryTimer = setTimeout(() => {
    if (token && !isLive(decodeClaims(token))) expireSession();
    else if (token) scheduleExpiry(decodeClaims(token));
  }, Math.max(delay, 0));
}

/** Take `candidate` as the session's token if it is still valid; an expired one ends the session. */
function adopt(candidate, reason) {
  if (!candidate) return;
  const claims = decodeClaims(candidate);
  if (!isLive(claims)) {
    store(TOKEN_KEY, null);
    ended = true;
    if (reason) notify("expired");
    return;
  }
  token = candidate;
  ended = false;
  lastError = null;
  store(TOKEN_KEY, candidate);
  scheduleExpiry(claims);
  if (reason) notify(reason);
}

/** The bearer token, or null when nobody is signed in (an expired token is dropped here). */
export function authToken() {
  if (token === null) adopt(stored(TOKEN_KEY), null);
  else if (!isLive(decodeClaims(token))) expireSession();
  return token;
}

/** Who is signed in: {sub, roles, expiresAt} from the token, or null. */
export function account() {
  const current = authToken();
  if (current === null) return null;
  const claims = decodeClaims(current);
  return {
    sub: claims.sub,
    roles: Array.isArray(claims.roles) ? claims.roles : [],
    expiresAt: new Date(claims.exp * 1000).toISOString(),
  };
}

export function isSignedIn() {
  return authToken() !== null;
}

/** True when the last session ended by itself (its token expired or was refused), not by signing out. */
export function sessionExpired() {
  return ended && token === null;
}

/** Why the last sign-in failed (a sentence for the sign-in page), once; null when it did not. */
export function takeSignInError() {
  const error = lastError;
  lastError = null;
  return error;
}

/** `callback({reason: "signed-in"|"signed-out"|"expired", signedIn, account})` on every change;
 * returns a function that stops the calls. */
export function onAuthChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

/** The gateway answered UNAUTHENTICATED (or the token's time is up): forget it and say so. */
export function expireSession() {
  if (token === null && stored(TOKEN_KEY) === null) return;
  forget();
  ended = true;
  notify("expired");
}

/** A route of this client to come back to: "/me", never another site or the sign-in page. */
export function safeReturnTo(value) {
  const route = String(value || "").replace(/^#/, "");
  if (!route.startsWith("/") || route.startsWith("//") || route.startsWith("/sign-in")) return DEFAULT_RETURN;
  return route;
}

/** How this directory signs people in: {issuer, clientId, scopes, devSignIn} (asked once per page load). */
export function authConfig() {
  if (!configRequest) {
    configRequest = fetch("/auth/config", { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .catch((error) => {
        configRequest = null; // let a later attempt try again
        throw new SignInError(`The directory cannot say how to sign in right now (${error.message}). Try again.`);
      });
  }
  return configRequest;
}

/** Go to the sign-in page, which then comes back to `returnTo` (default: where the visitor is). */
export function signIn({ returnTo } = {}) {
  const from = returnTo ?? location.hash;
  location.hash = `#/sign-in?returnTo=${encodeURIComponent(safeReturnTo(from))}`;
}

/** Development only: a token for `accountName` from the gateway, then on to `returnTo`. */
export async function devSignIn(accountName, { returnTo } = {}) {
  let response;
  try {
    response = await fetch("/auth/dev-token", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ account: accountName }),
      cache: "no-store",
    });
  } catch {
    throw new SignInError("The directory cannot be reached. Check your connection and try again.");
  }
  const body = await response.json().catch(() => null);
  if (response.status === 404) {
    throw new SignInError("Development sign-in is not offered by this directory.");
  }
  if (!response.ok || !body?.token) {
    const detail = body?.error?.details?.[0];
    throw new SignInError(detail?.message || body?.error?.message || `The directory answered HTTP ${response.status}.`,
      { field: detail?.field || null });
  }
  adopt(body.token, "signed-in");
  location.hash = `#${safeReturnTo(returnTo)}`;
}

function discoveryUrl(issuer) {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

async function discover(issuer) {
  let document;
  try {
    const response = await fetch(discoveryUrl(issuer), { credentials: "omit", cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = await response.json();
  } catch (error) {
    throw new SignInError(`The identity provider cannot be reached (${error.message}). Try again later.`);
  }
  // The document must be the configured issuer's own (OpenID Connect Discovery, section 4.3).
  if (document.issuer !== issuer || !document.authorization_endpoint || !document.token_endpoint) {
    throw new SignInError("The identity provider's configuration does not match this directory's. Ask its operator.");
  }
  return document;
}

function redirectUri() {
  return `${location.origin}/`;
}

/** Start OpenID Connect sign-in: PKCE S256, random state and nonce, then off to the provider. */
export async function signInWithProvider({ returnTo } = {}) {
  const config = await authConfig();
  if (!config.issuer) throw new SignInError("Signing in with an identity provider is not set up for this directory.");
  const provider = await discover(config.issuer);
  const verifier = randomString(32);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const pending = {
    state: randomString(16),
    nonce: randomString(16),
    verifier,
    issuer: config.issuer,
    clientId: config.clientId,
    returnTo: safeReturnTo(returnTo),
  };
  store(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(provider.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  })) url.searchParams.set(name, value);
  location.assign(url.href);
}

function providerRefusal(params) {
  const error = params.get("error");
  if (error === "access_denied") return "Signing in was cancelled at the identity provider, so you are not signed in.";
  const description = params.get("error_description");
  return `The identity provider did not sign you in (${error}${description ? `: ${description}` : ""}).`;
}

async function exchangeCode(pending, code) {
  const provider = await discover(pending.issuer);
  let response;
  let body = null;
  try {
    response = await fetch(provider.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri(),
        client_id: pending.clientId,
        code_verifier: pending.verifier,
      }),
      credentials: "omit",
      cache: "no-store",
    });
    body = await response.json();
  } catch {
    throw new SignInError("The identity provider cannot be reached to finish signing in. Try again.");
  }
  if (!response.ok || !body?.access_token) {
    throw new SignInError(`The identity provider refused to finish the sign-in (${body?.error || response.status}). `
      + "Sign in again.");
  }
  // The ID token came straight from the token endpoint over TLS, so its claims are trusted without
  // a signature check here (OpenID Connect Core 3.1.3.7); the nonce ties it to this sign-in.
  const identity = body.id_token ? decodeClaims(body.id_token) : null;
  const audiences = [identity?.aud].flat();
  if (body.id_token && (identity?.nonce !== pending.nonce || identity?.iss !== pending.issuer
      || !audiences.includes(pending.clientId))) {
    throw new SignInError("The identity provider's answer does not belong to this sign-in. Sign in again.");
  }
  if (!isLive(decodeClaims(body.access_token))) {
    throw new SignInError("The identity provider gave a token this directory cannot use. Ask its operator.");
  }
  return body.access_token;
}

/**
 * If this page load is the provider sending the browser back (`?code=&state=` or `?error=`),
 * finish signing in: check state, exchange the code, keep the token, clean the address and go to
 * where sign-in started. Failures are kept for the sign-in page. Resolves to whether it was one.
 */
export async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return false;
  let pending = null;
  try {
    pending = JSON.parse(stored(PENDING_KEY) || "null");
  } catch {
    pending = null;
  }
  store(PENDING_KEY, null); // one answer per sign-in, whatever it says
  const returnTo = safeReturnTo(pending?.returnTo);
  try {
    if (!pending || !params.get("state") || params.get("state") !== pending.state) {
      throw new SignInError("This sign-in could not be finished: the answer that came back does not belong to "
        + "a sign-in started in this tab. You are not signed in; sign in again.");
    }
    if (params.has("error")) throw new SignInError(providerRefusal(params));
    adopt(await exchangeCode(pending, params.get("code")), "signed-in");
    // The code is single-use, but it stays out of the address bar and history all the same.
    history.replaceState(null, "", `${location.pathname}#${returnTo}`);
  } catch (error) {
    lastError = error.message || String(error);
    history.replaceState(null, "", `${location.pathname}#/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
  }
  return true;
}

/** Forget the token everywhere; end the provider's session too when it offers that. */
export async function signOut() {
  const claims = token ? decodeClaims(token) : null;
  forget();
  ended = false;
  notify("signed-out");
  try {
    const config = await authConfig();
    // Only a provider's own token has a session there to end (a development token has no issuer).
    if (config.issuer && claims?.iss === config.issuer) {
      const provider = await discover(config.issuer);
      if (provider.end_session_endpoint) {
        const url = new URL(provider.end_session_endpoint);
        url.searchParams.set("client_id", config.clientId);
        url.searchParams.set("post_logout_redirect_uri", redirectUri());
        location.assign(url.href);
        return;
      }
    }
  } catch {
    // The token is gone from this browser already; the provider's session ends on its own.
  }
  location.hash = "#/";
}

adopt(stored(TOKEN_KEY), null);
