// Launches Debian's headless Chromium through playwright-core for Tincan's tests.
//
// Why the flags: on a closed loopback-only network Chromium gathers no candidates unless
// loopback is allowed for peer connections, local IPs are not hidden behind mDNS names,
// and the page has camera+microphone permission (see /work/shared/KNOWN.md). Playwright's
// own `--disable-features=...` would replace ours, so its default arguments are turned
// off entirely and the quiet, closed-network set is given here instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * Starts Chromium. `realIps: true` (the default) shows 127.0.0.1 host candidates;
 * `realIps: false` keeps Chromium's default of hiding addresses behind `<uuid>.local`.
 * Returns `{ browser, context, page, close }`.
 */
export async function launch({ realIps = true } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tincan-chromium-'));
  const disabled = ['Translate', 'MediaRouter', 'OptimizationHints', 'DialMediaRouteProvider'];
  const extra = [];
  if (realIps) {
    disabled.push('WebRtcHideLocalIpsWithMdns');
    extra.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
  }
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--password-store=basic',
    '--use-mock-keychain',
    '--allow-loopback-in-peer-connection',
    ...extra,
    `--disable-features=${disabled.join(',')}`,
    '--remote-debugging-pipe',
    `--user-data-dir=${userDataDir}`,
    '--no-startup-window',
  ];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    args,
    timeout: 30000,
  });
  const context = await browser.newContext();
  if (realIps) {
    // The permission is what makes Chromium expose real host addresses.
    await context.grantPermissions(['camera', 'microphone']);
  }
  const page = await context.newPage();
  const close = async () => {
    await browser.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return { browser, context, page, close };
}

/**
 * Serves one empty page from a loopback HTTP server so the page has a real origin
 * (permissions are granted per origin; about:blank has none); `isolated: true` makes it
 * cross-origin isolated (fine-grained timers). Returns `{ url, close }`.
 */
export async function servePage({ isolated = false } = {}) {
  const http = await import('node:http');
  // Cross-origin isolation lifts performance.now()'s resolution from 100 us to 5 us,
  // which timing benchmarks need for sub-millisecond round trips.
  const headers = isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', ...headers });
    res.end('<!doctype html><title>tincan</title>');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}
