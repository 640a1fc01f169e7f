import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import type { Purchase, SaleView } from '../src/lib/types';

export const BASE_URL = (process.env.FLASHSALE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
/**
 * A second sale-api in the `oidc` auth mode on the same stores (so it serves the same sales), for
 * the sign-in scenarios; null when not set (they are skipped then).
 */
export const OIDC_URL = process.env.FLASHSALE_OIDC_URL ? process.env.FLASHSALE_OIDC_URL.replace(/\/+$/, '') : null;
export const RESULTS_DIR = fileURLToPath(new URL('../e2e-results/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  await mkdir(RESULTS_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  // finished transitions: the picture shows the state the test just asserted, not a bar mid-slide
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Unique per run, and a valid DNS-1123 label (the sale id is a Kubernetes resource name). */
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
export function uniqueId(scenario: string): string {
  return `e2e-${scenario}-${runId}`.slice(0, 63);
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e suite needs it to drive the stack (see README).`);
  return value;
}

/**
 * Runs a command line from the environment with extra arguments. The arguments go in as
 * positional parameters of sh, so a product name with spaces or quotes arrives intact.
 */
function runCommand(commandLine: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', `${commandLine} "$@"`, 'sh', ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${commandLine} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export interface SaleSpec {
  id: string;
  productName: string;
  initialStock: number;
  perUserLimit?: number;
  /** ISO-8601 or relative like "+10s", as the sale command accepts. */
  start: string;
  end: string;
  /** A checkout: how long a purchase holds its units until paid, like "1m" or "20s" (sale-core allows 1s..24h). */
  holdFor?: string;
}

/**
 * A page in a browser context of its own (its own storage and cookies, so its own Keycloak
 * session); the context joins `contexts`, which the suite closes at the end.
 */
export async function newPage(browser: Browser, contexts: BrowserContext[], viewport = { width: 1100, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

/** An active sale: it starts a moment from now, so the SPA is seen going live too. */
export async function activeSale(scenario: string, initialStock: number, perUserLimit = 1): Promise<{ id: string; productName: string }> {
  const id = uniqueId(scenario);
  const productName = `E2E ${scenario} item`;
  await createSale({ id, productName, initialStock, perUserLimit, start: '+2s', end: '+10m' });
  return { id, productName };
}

/** Creates the sale through FLASHSALE_SALE_CMD and waits until sale-api serves it. */
export async function createSale(spec: SaleSpec): Promise<SaleView> {
  await runCommand(
    requiredEnv('FLASHSALE_SALE_CMD'),
    [
      'upsert',
      '--id', spec.id,
      '--sku', spec.id.toUpperCase(),
      '--product-name', spec.productName,
      '--initial-stock', String(spec.initialStock),
      '--per-user-limit', String(spec.perUserLimit ?? 1),
      '--start', spec.start,
      '--end', spec.end,
      ...(spec.holdFor ? ['--hold-for', spec.holdFor] : []),
    ],
    120_000,
  );
  const deadline = Date.now() + 90_000;
  for (;;) {
    const view = await getSale(spec.id);
    if (view !== null && view.productName === spec.productName) return view;
    if (Date.now() > deadline) throw new Error(`sale ${spec.id} did not appear in sale-api`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function getSale(id: string): Promise<SaleView | null> {
  try {
    const res = await fetch(`${BASE_URL}/api/v1/sales/${id}`, { cache: 'no-store' });
    if (!res.ok) return null;
    return ((await res.json()) as { data: SaleView }).data;
  } catch {
    return null;
  }
}

/** A purchase from outside any browser, as another shopper. */
export async function buyViaApi(saleId: string, userId: string): Promise<number> {
  const res = await fetch(`${BASE_URL}/api/v1/sales/${saleId}/purchases`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-User-Id': userId, 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ qty: 1 }),
  });
  return res.status;
}

/** The shopper's purchase as the API has it (none mode: the shopper is X-User-Id), or null when they have none. */
export async function myPurchaseViaApi(saleId: string, userId: string): Promise<Purchase | null> {
  const res = await fetch(`${BASE_URL}/api/v1/sales/${saleId}/purchases/me`, { cache: 'no-store', headers: { 'X-User-Id': userId } });
  return res.ok ? ((await res.json()) as { data: Purchase }).data : null;
}

/** Restarts sale-api through FLASHSALE_RESTART_CMD (it may return before or after it is back). */
export function restartSaleApi(): Promise<string> {
  return runCommand(requiredEnv('FLASHSALE_RESTART_CMD'), [], 600_000);
}

/** The sale page on `base` (the none-mode sale-api unless told otherwise). */
export function saleUrl(saleId: string, base = BASE_URL): string {
  return `${base}/sales/${saleId}`;
}

export function isPurchasePost(request: Request): boolean {
  return request.method() === 'POST' && /\/api\/v1\/sales\/[^/]+\/purchases$/.test(new URL(request.url()).pathname);
}

/** Locators and reads of the sale page, by the data attributes the SPA exposes for this. */
export const ui = {
  state: (page: Page) => page.locator('.sale-header [data-state]').getAttribute('data-state'),
  stream: (page: Page) => page.locator('[data-stream]').getAttribute('data-stream'),
  stock: (page: Page) => page.getByTestId('stock-text').textContent(),
  outcome: (page: Page) => page.locator('[data-outcome]').getAttribute('data-outcome'),
  outcomeText: (page: Page) => page.locator('[data-outcome]').textContent(),
  endReason: (page: Page) => page.getByTestId('end-reason').getAttribute('data-end-reason'),
  purchaseId: (page: Page) => page.getByTestId('my-purchase').getAttribute('data-purchase-id'),
  persisted: (page: Page) => page.getByTestId('my-purchase').getAttribute('data-persisted'),
  /** Checkout: the status of the shopper's hold (HELD, CONFIRMED, EXPIRED, CANCELLED), and the units held by all. */
  holdStatus: (page: Page) => page.getByTestId('checkout').getAttribute('data-status'),
  held: (page: Page) => page.getByTestId('stock-held').textContent(),
  userId: (page: Page) => page.getByLabel('Your user id'),
  buyButton: (page: Page) => page.locator('button.buy'),
};

export async function openSale(page: Page, saleId: string, productName: string, base = BASE_URL): Promise<void> {
  await page.goto(saleUrl(saleId, base));
  await page.getByRole('heading', { level: 1, name: productName }).waitFor({ timeout: 30_000 });
}

export async function buy(page: Page, userId: string): Promise<void> {
  await ui.userId(page).fill(userId);
  await ui.buyButton(page).click();
}
