// Debian's chromium driven by playwright-core (browser downloads are not used): one browser per test file, a fresh
// profile directory each time, and helpers for the screenshots and layout-shift checks the e2e tests share.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../screenshots');

export const portrait = { width: 1080, height: 1920 };
export const landscape = { width: 1920, height: 1080 };

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--lang=zh-CN',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** fontconfig knows a font covering Chinese (what chromium on Linux falls back to) */
function hasChineseFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

export async function openBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no chromium at ${CHROMIUM_PATH}: install Debian's (apt-get install -y chromium); npm test (.ci/install-browser) does this when it is missing`);
  }
  if (!hasChineseFont()) {
    throw new Error('no Chinese font: chromium would draw the pages as boxes (install fonts-noto-cjk); npm test (.ci/install-browser) does this when it is missing');
  }
  // launchPersistentContext takes the profile directory itself (it is --user-data-dir): a new empty one per file
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: portrait,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A page with its console errors and failed requests collected, so a test can assert the page ran clean. */
export async function newPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // the kiosk network is closed: everything must come from the page's own server (no CDN, no web fonts)
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:', 'about:'].includes(url.protocol) && url.hostname !== '127.0.0.1') problems.push(`off-origin request: ${request.url()}`);
  });
  page.on('console', (message) => {
    // "Failed to load resource" does not name the resource: add where it came from
    if (message.type() === 'error') problems.push(`console: ${message.text()}${message.location().url ? ` (${message.location().url})` : ''}`);
  });
  return { page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // let animations (the short highlight of a changed step) settle so the picture shows the resting page
  await page.waitForTimeout(50);
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/** Starts counting layout shifts (Layout Instability API) from now on. */
export async function watchLayoutShifts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __shifts: number[]; __shiftObserver?: PerformanceObserver };
    w.__shifts = [];
    w.__shiftObserver?.disconnect();
    w.__shiftObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
        if (!entry.hadRecentInput) w.__shifts.push(entry.value);
      }
    });
    w.__shiftObserver.observe({ type: 'layout-shift', buffered: false });
  });
}

/** The cumulative layout shift since watchLayoutShifts. */
export async function layoutShift(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __shifts: number[] }).__shifts.reduce((a, b) => a + b, 0));
}

const CONTROL_ROLES = ['button', 'link', 'textbox', 'searchbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'slider', 'switch'];

/**
 * The controls on the page that have no accessible name, as lines of Playwright's ARIA snapshot (which names
 * each node the way assistive technology would: label, aria-label(ledby), content). Empty when all are named.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const snapshot = await page.locator('body').ariaSnapshot();
  const unnamed = new RegExp(`^\\s*- (${CONTROL_ROLES.join('|')})(?: \\[[^\\]]*\\])*(?::.*)?$`);
  return snapshot.split('\n').filter((line) => unnamed.test(line));
}
