// Sign-in scenarios against the sale-api in the `oidc` auth mode and its Keycloak.
//   FLASHSALE_OIDC_URL   base URL of that sale-api (serving the built SPA); the scenarios are skipped without it
//   FLASHSALE_SALE_CMD   creates sales (as for flashsale.e2e.ts; both sale-apis share the stores)
// The identity provider is the one GET /api/v1/config of that sale-api names; the demo shoppers
// (alice, bob) and their password come from deploy/keycloak/flashsale-realm.json.
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Purchase, SaleView } from '../src/lib/types';
import { activeSale, isPurchasePost, launchBrowser, newPage, OIDC_URL, openSale, saleUrl, screenshot, ui } from './support';

const SECOND = 1_000;
const poll = (timeout: number) => ({ timeout, interval: 200 });
/** The demo shoppers' password in the realm file. */
const PASSWORD = 'shopper';

interface OidcConfig {
  issuer: string;
  clientId: string;
}

/** What oidc-client-ts keeps in sessionStorage for the signed-in shopper (User.toStorageString). */
interface StoredUser {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  token_type?: string;
  scope?: string;
  session_state?: string | null;
  /** Epoch seconds; oidc-client-ts schedules the silent renew from it. */
  expires_at?: number;
  profile: { sub: string; preferred_username?: string };
}

interface Envelope<T> {
  success: boolean;
  data?: T;
  error?: { code: string; message: string };
}

let browser: Browser;
const contexts: BrowserContext[] = [];
let config: OidcConfig;

function oidcBase(): string {
  if (OIDC_URL === null) throw new Error('FLASHSALE_OIDC_URL is not set');
  return OIDC_URL;
}

/** The oidc sale-api's GET /config: which issuer and client the SPA signs in with. */
async function fetchOidcConfig(): Promise<OidcConfig> {
  const res = await fetch(`${oidcBase()}/api/v1/config`, { cache: 'no-store' });
  const body = (await res.json()) as Envelope<{ auth: { mode: string; issuer?: string; clientId?: string } }>;
  const auth = body.data?.auth;
  if (auth?.mode !== 'oidc' || !auth.issuer || !auth.clientId) {
    throw new Error(`${oidcBase()} is not in the oidc auth mode: GET /api/v1/config answered ${JSON.stringify(body)}`);
  }
  return { issuer: auth.issuer, clientId: auth.clientId };
}

/** The sessionStorage key oidc-client-ts stores the user under (prefix `oidc.` set in src/lib/auth.ts). */
function userKey(): string {
  return `oidc.user:${config.issuer}:${config.clientId}`;
}

async function storedUser(page: Page): Promise<StoredUser | null> {
  const raw = await page.evaluate((key) => window.sessionStorage.getItem(key), userKey());
  return raw === null ? null : (JSON.parse(raw) as StoredUser);
}

async function sessionStorageEntries(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < window.sessionStorage.length; i++) {
      const key = window.sessionStorage.key(i)!;
      entries[key] = window.sessionStorage.getItem(key)!;
    }
    return entries;
  });
}

/** The claims of a JWT, unverified (sale-api verifies; the test only reads). */
function claims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (payload === undefined) throw new Error(`not a JWT: ${jwt.slice(0, 20)}…`);
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function api<T>(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${oidcBase()}/api/v1${path}`, {
    method,
    cache: 'no-store',
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Envelope<T> };
}

function myPurchaseViaApi(saleId: string, accessToken: string) {
  return api<Purchase>('GET', `/sales/${saleId}/purchases/me`, { Authorization: `Bearer ${accessToken}` });
}

/** Rejects with `what` if `promise` has not settled within `ms` (a clear failure instead of the test timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves when the main frame arrives at `url`'s page (origin and path), by a document load or a
 * history update (the callback page replaces itself with the page the sign-in started from).
 * Create it before the action that leaves, so an arrival is never missed.
 */
function arrivalAt(page: Page, url: string, timeout = 60 * SECOND): Promise<string> {
  const target = new URL(url);
  return page
    .waitForEvent('framenavigated', {
      predicate: (frame) => {
        if (frame !== page.mainFrame()) return false;
        const at = new URL(frame.url());
        return at.origin === target.origin && at.pathname === target.pathname;
      },
      timeout,
    })
    .then((frame) => frame.url());
}

const header = {
  shopper: (page: Page) => page.locator('.site-header .shopper'),
  signIn: (page: Page) => page.locator('.site-header').getByRole('button', { name: 'Sign in', exact: true }),
  signOut: (page: Page) => page.locator('.site-header').getByRole('button', { name: 'Sign out', exact: true }),
};
const signInToBuy = (page: Page) => page.getByRole('button', { name: 'Sign in to buy', exact: true });
const buyNow = (page: Page) => page.getByRole('button', { name: 'Buy now', exact: true });
const quantity = (page: Page) => page.getByLabel(/^Quantity/);

/** Keycloak 26's login page (theme keycloak.v2): the form, its labelled fields, its button. */
const keycloak = {
  form: (page: Page) => page.locator('#kc-form-login'),
  username: (page: Page) => page.getByLabel('Username or email', { exact: true }),
  password: (page: Page) => page.getByLabel('Password', { exact: true }),
  submit: (page: Page) => page.getByRole('button', { name: 'Sign In', exact: true }),
  logoutConfirm: (page: Page) => page.locator('#kc-logout'),
};

/** Fills in Keycloak's login form, once it shows, as `username`, and submits it. */
async function logInOnKeycloak(page: Page, username: string, shot?: string): Promise<void> {
  await keycloak.form(page).waitFor({ timeout: 30 * SECOND });
  expect(new URL(page.url()).origin).toBe(new URL(config.issuer).origin);
  await keycloak.username(page).fill(username);
  await keycloak.password(page).fill(PASSWORD);
  if (shot) await screenshot(page, shot);
  await keycloak.submit(page).click();
}

/** Signed in as `username`: the header says so. */
async function expectSignedInAs(page: Page, username: string): Promise<void> {
  await header.shopper(page).filter({ hasText: username }).waitFor({ timeout: 15 * SECOND });
  expect(await header.shopper(page).textContent()).toBe(`Signed in as ${username}`);
  await header.signOut(page).waitFor({ timeout: 5 * SECOND });
}

/** An active sale, served by both sale-apis; its page on the oidc one. */
async function oidcSale(scenario: string, initialStock: number, perUserLimit = 1) {
  const sale = await activeSale(scenario, initialStock, perUserLimit);
  return { ...sale, url: saleUrl(sale.id, oidcBase()) };
}

/** The sale page on the oidc sale-api, once the sale is on; uncaught page errors are collected. */
async function openLive(sale: { id: string; productName: string }, pageErrors: string[]): Promise<Page> {
  const page = await newPage(browser, contexts);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openSale(page, sale.id, sale.productName, oidcBase());
  await expect.poll(() => ui.state(page), poll(60 * SECOND)).toBe('ACTIVE');
  return page;
}

describe.skipIf(OIDC_URL === null)('Flashsale shopper SPA: sign-in (oidc mode)', () => {
  beforeAll(async () => {
    config = await fetchOidcConfig();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
  });

  it('sign-in on Keycloak, buy, reload, sign-out: alice', async () => {
    const sale = await oidcSale('signin', 5);
    const pageErrors: string[] = [];
    const page = await openLive(sale, pageErrors);

    // Signed out: nobody in the header, and the Buy button signs in first. As after the sign-out
    // below, up to 30 s: the SPA reads /config first and tries again later when that fails.
    await signInToBuy(page).waitFor({ timeout: 30 * SECOND });
    await header.signIn(page).waitFor({ timeout: 5 * SECOND });
    expect(await storedUser(page)).toBeNull();
    await screenshot(page, 'signin-1-signed-out');

    // Keycloak's real login page (a fresh browser context: no SSO session yet), then back to this page.
    await header.signIn(page).click();
    await logInOnKeycloak(page, 'alice', 'signin-2-keycloak-login');
    await page.waitForURL(sale.url, { timeout: 30 * SECOND });
    await expectSignedInAs(page, 'alice');
    await buyNow(page).waitFor({ timeout: 5 * SECOND });
    const signedIn = await storedUser(page);
    expect(signedIn?.access_token).toBeTruthy();
    const token = claims(signedIn!.access_token);
    expect(token.preferred_username).toBe('alice');
    expect(token.sub).toBe(signedIn!.profile.sub);
    expect(token.iss).toBe(config.issuer);
    await screenshot(page, 'signin-3-signed-in');

    // Buy: the request carries the access token, and no self-reported user id.
    const posts: Request[] = [];
    page.on('request', (r) => {
      if (isPurchasePost(r)) posts.push(r);
    });
    await buyNow(page).click();
    await expect.poll(() => ui.outcome(page), poll(15 * SECOND)).toBe('SUCCESS');
    await page.getByRole('heading', { name: 'Your purchase' }).waitFor({ timeout: 5 * SECOND });
    const purchaseId = await ui.purchaseId(page);
    expect(purchaseId).toBeTruthy();
    expect(await ui.outcomeText(page)).toContain(purchaseId!);
    expect(posts).toHaveLength(1);
    const postHeaders = await posts[0]!.allHeaders();
    expect(postHeaders.authorization).toBe(`Bearer ${signedIn!.access_token}`);
    expect(postHeaders['x-user-id']).toBeUndefined();
    await screenshot(page, 'signin-4-bought');

    // A reload keeps the session (sessionStorage) and shows the purchase again (purchases/me).
    await page.reload();
    await page.getByRole('heading', { level: 1, name: sale.productName }).waitFor({ timeout: 30 * SECOND });
    await expectSignedInAs(page, 'alice');
    await expect.poll(() => ui.purchaseId(page), poll(15 * SECOND)).toBe(purchaseId);
    await page.getByRole('heading', { name: 'Your purchase' }).waitFor({ timeout: 5 * SECOND });
    await screenshot(page, 'signin-5-purchase-after-reload');

    // The API agrees, with the token the page holds: alice's purchase, under the token's subject.
    const afterReload = await storedUser(page);
    expect(afterReload?.access_token).toBeTruthy();
    const me = await myPurchaseViaApi(sale.id, afterReload!.access_token);
    expect(me.status).toBe(200);
    expect(me.body.data?.purchaseId).toBe(purchaseId);
    expect(me.body.data?.saleId).toBe(sale.id);
    expect(me.body.data?.userId).toBe(claims(afterReload!.access_token).sub);
    expect(me.body.data?.userId).toBe(token.sub);

    // Sign out at Keycloak's end-session endpoint, which sends the shopper back to this page
    // (straight away with the id_token_hint oidc-client-ts sends; after a confirmation otherwise).
    const backFromLogout = arrivalAt(page, sale.url);
    await header.signOut(page).click();
    const first = await Promise.race([
      backFromLogout.then(() => 'back' as const),
      keycloak.logoutConfirm(page).waitFor({ timeout: 60 * SECOND }).then(() => 'confirm' as const),
    ]);
    if (first === 'confirm') {
      await screenshot(page, 'signin-6-keycloak-logout-confirmation');
      await keycloak.logoutConfirm(page).click();
    }
    expect(await backFromLogout).toBe(sale.url);
    await signInToBuy(page).waitFor({ timeout: 30 * SECOND });
    await header.signIn(page).waitFor({ timeout: 5 * SECOND });
    expect(await header.shopper(page).count()).toBe(0);
    expect(await page.getByTestId('my-purchase').count()).toBe(0);
    const left = await sessionStorageEntries(page);
    expect(Object.keys(left).filter((key) => key.startsWith('oidc.user:'))).toEqual([]);
    for (const secret of [signedIn!.access_token, afterReload!.access_token, signedIn!.refresh_token, signedIn!.id_token]) {
      if (secret) expect(Object.values(left).some((value) => value.includes(secret))).toBe(false);
    }
    await screenshot(page, 'signin-7-signed-out');

    // Keycloak ended its session too: signing in again asks for the password.
    await signInToBuy(page).click();
    await keycloak.form(page).waitFor({ timeout: 30 * SECOND });
    await screenshot(page, 'signin-8-login-asked-again');
    expect(pageErrors).toEqual([]);
  });

  it('expired session: Buy answers 401, the SPA signs bob in again, back to the same sale and quantity, Buy again', async () => {
    const sale = await oidcSale('expiry', 5, 3);
    const pageErrors: string[] = [];
    const page = await openLive(sale, pageErrors);

    // Sign in from the purchase panel (a fresh context: Keycloak asks for the password).
    await signInToBuy(page).click();
    await logInOnKeycloak(page, 'bob');
    await page.waitForURL(sale.url, { timeout: 30 * SECOND });
    await expectSignedInAs(page, 'bob');
    const signedIn = (await storedUser(page))!;
    expect(signedIn.access_token).toBeTruthy();

    // A session sale-api no longer accepts while the SPA still holds it (a token that ran out
    // while the laptop slept, keys rotated away): bob's own token with its signature broken.
    // sale-api refuses it with the same 401 UNAUTHENTICATED an expired token gets, and the SPA
    // cannot tell the two apart (it only looks at the status). Its `expires_at` is left as it was,
    // minutes ahead, so the SPA neither renews it at load (it does for a token already past
    // expiry: the last step below) nor before the click (asserted: no token request). Waiting
    // out the 300 s of a real token would make this test take over five minutes.
    const [head, payload, signature = ''] = signedIn.access_token.split('.');
    const brokenSignature = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
    const staleToken = `${head}.${payload}.${brokenSignature}`;
    await page.evaluate(([key, value]) => window.sessionStorage.setItem(key, value), [
      userKey(),
      JSON.stringify({ ...signedIn, access_token: staleToken }),
    ] as const);
    const tokenRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.endsWith('/protocol/openid-connect/token')) tokenRequests.push(r.url());
    });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: sale.productName }).waitFor({ timeout: 30 * SECOND });
    await expectSignedInAs(page, 'bob');
    expect((await storedUser(page))?.access_token).toBe(staleToken);
    await quantity(page).fill('2');
    await screenshot(page, 'expiry-1-stale-token-quantity-2');

    // Hold the SPA on its way to Keycloak, to read the message it shows before it leaves. What
    // is held is the provider's metadata (.well-known/openid-configuration): oidc-client-ts
    // fetches it the first time it needs an endpoint, and since the reload nothing has needed one,
    // so building this sign-in request fetches it. (Holding the redirect itself would not do:
    // while chromium waits on a held navigation, page.evaluate hangs.)
    let metadataRequest: (route: Route) => void = () => undefined;
    const metadataRequested = new Promise<Route>((resolve) => {
      metadataRequest = resolve;
    });
    const isMetadata = (url: URL) => url.pathname.endsWith('/.well-known/openid-configuration');
    let holding = true;
    await page.route(isMetadata, (route) => {
      if (holding) metadataRequest(route);
      else void route.continue();
      holding = false;
    });
    const refused = page.waitForResponse((r) => isPurchasePost(r.request()), { timeout: 15 * SECOND });

    expect(tokenRequests).toEqual([]);
    await buyNow(page).click();
    const answer = await refused;
    expect(answer.status()).toBe(401);
    expect(((await answer.json()) as Envelope<never>).error?.code).toBe('UNAUTHENTICATED');
    expect(await answer.request().headerValue('authorization')).toBe(`Bearer ${staleToken}`);
    const held = await within(metadataRequested, 15 * SECOND, 'the SPA did not start a sign-in after the 401');
    await page.locator('[data-outcome="UNAUTHENTICATED"]').waitFor({ timeout: 10 * SECOND });
    expect(await ui.outcomeText(page)).toContain('Your session has expired. Taking you to sign in…');
    // Nothing renewed the stale token behind the SPA's back, before or after the click.
    expect(tokenRequests).toEqual([]);
    await screenshot(page, 'expiry-2-session-expired');

    // Let it go. Keycloak's SSO session (its cookies in this context) is still there, so it
    // normally answers with a code at once; should it show the login form, bob logs in again.
    const back = arrivalAt(page, sale.url);
    const authorizing = page.waitForRequest((r) => new URL(r.url()).pathname.endsWith('/protocol/openid-connect/auth'), {
      timeout: 15 * SECOND,
    });
    await held.continue();
    await page.unroute(isMetadata);
    const authorize = new URL((await authorizing).url());
    expect(authorize.searchParams.get('client_id')).toBe(config.clientId);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${oidcBase()}/auth/callback`);
    const first = await Promise.race([
      back.then(() => 'back' as const),
      keycloak.form(page).waitFor({ timeout: 60 * SECOND }).then(() => 'form' as const),
    ]);
    if (first === 'form') {
      console.info('expiry scenario: Keycloak showed its login form again (no SSO session reuse)');
      await logInOnKeycloak(page, 'bob', 'expiry-2b-keycloak-login-again');
    }
    expect(await back).toBe(sale.url); // the same sale page, exactly
    await expectSignedInAs(page, 'bob');
    expect(await quantity(page).inputValue()).toBe('2');
    const renewed = (await storedUser(page))!;
    expect(renewed.access_token).not.toBe(staleToken);
    expect(renewed.profile.sub).toBe(signedIn.profile.sub);
    expect(tokenRequests).toHaveLength(1); // the code traded for tokens at the callback
    await screenshot(page, 'expiry-3-back-signed-in-quantity-kept');

    // Buy again: it goes through, for bob, two units.
    await buyNow(page).click();
    await expect.poll(() => ui.outcome(page), poll(15 * SECOND)).toBe('SUCCESS');
    const purchaseId = await ui.purchaseId(page);
    expect(purchaseId).toBeTruthy();
    await screenshot(page, 'expiry-4-bought-after-sign-in');
    const me = await myPurchaseViaApi(sale.id, renewed.access_token);
    expect(me.status).toBe(200);
    expect(me.body.data?.purchaseId).toBe(purchaseId);
    expect(me.body.data?.qty).toBe(2);
    expect(me.body.data?.userId).toBe(claims(renewed.access_token).sub);
    expect(claims(renewed.access_token).preferred_username).toBe('bob');

    // A tab come back after its access token ran out (`expires_at` in the past): at load the SPA
    // renews it with the refresh token, so bob is still signed in with a fresh token and sees
    // his purchase, instead of a header that says signed in over a token every purchase refuses.
    await page.evaluate(([key, value]) => window.sessionStorage.setItem(key, value), [
      userKey(),
      JSON.stringify({ ...renewed, expires_at: Math.floor(Date.now() / 1000) - 60 }),
    ] as const);
    await page.reload();
    await expectSignedInAs(page, 'bob');
    await expect.poll(async () => (await storedUser(page))?.access_token !== renewed.access_token, poll(15 * SECOND)).toBe(true);
    expect(tokenRequests).toHaveLength(2); // the refresh
    await expect.poll(() => ui.purchaseId(page), poll(15 * SECOND)).toBe(purchaseId);
    await screenshot(page, 'expiry-5-renewed-at-load');
    expect(pageErrors).toEqual([]);
  });

  it('no token: a purchase through the oidc sale-api is refused with 401 UNAUTHENTICATED', async () => {
    const sale = await oidcSale('notoken', 5);
    await expect
      .poll(async () => (await api<SaleView>('GET', `/sales/${sale.id}`)).body.data?.state, poll(60 * SECOND))
      .toBe('ACTIVE');

    // X-User-Id is the none mode's self-reported shopper: the oidc mode ignores it.
    const refused = await api<Purchase>(
      'POST',
      `/sales/${sale.id}/purchases`,
      { 'Idempotency-Key': crypto.randomUUID(), 'X-User-Id': `mallory-${sale.id}` },
      { qty: 1 },
    );
    expect(refused.status).toBe(401);
    expect(refused.body.success).toBe(false);
    expect(refused.body.error?.code).toBe('UNAUTHENTICATED');
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');

    const sold = await api<SaleView>('GET', `/sales/${sale.id}`);
    expect(sold.body.data?.stock).toBe(5);
  });
});
