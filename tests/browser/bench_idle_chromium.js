// Chromium <-> Chromium baseline for Tincan's idle benchmark (tests/examples/bench_idle):
// two headless pages, each in its own browser context (its own renderer, like two
// devices), connected serverless-style (non-trickle, the whole description passed
// across) with one open data channel, then left alone. The benchmark counts what the
// Chromium process tree does meanwhile; this script only sets up and tears down, so it
// does nothing at all while the pair idles (its own process is not counted anyway).
//
// Usage (private namespace only, lo up): node bench_idle_chromium.js [lifetime-seconds]
// Prints one line `connected {json}` (Chromium's version, the selected pair), and on
// SIGUSR2 one line `final {json}` (both pages' connection and channel states) before it
// closes Chromium and exits 0. (Not SIGTERM: Playwright closes the browser itself on
// that, before the pages could be asked; SIGUSR1 belongs to Node's inspector.) Exits by itself after the lifetime (default 900 s) or
// when the process that started it is gone.
import { launch, servePage } from './chromium.js';

const LIFETIME_S = Number(process.argv[2] || 900);
// Every step in the page is bounded: a stuck pair fails the run instead of hanging it.
const STEP_MS = 20000;

function installPeer(STEP_MS) {
  const within = (p, what) =>
    Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error(`${what} timed out`)), STEP_MS))]);
  const gathered = (pc) =>
    within(new Promise((ok) => {
      if (pc.iceGatheringState === 'complete') return ok();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') ok();
      });
    }), 'gathering');
  const t = (window.idle = {});
  const adopt = (dc) => {
    t.dc = dc;
    t.opened = new Promise((ok) => {
      if (dc.readyState === 'open') ok();
      else dc.addEventListener('open', ok, { once: true });
    });
  };
  t.offer = async () => {
    t.pc = new RTCPeerConnection();
    adopt(t.pc.createDataChannel('idle'));
    await t.pc.setLocalDescription();
    await gathered(t.pc);
    return JSON.stringify(t.pc.localDescription);
  };
  t.answer = async (offer) => {
    t.pc = new RTCPeerConnection();
    t.channel = new Promise((ok) => t.pc.addEventListener('datachannel', (e) => { adopt(e.channel); ok(); }));
    await t.pc.setRemoteDescription(JSON.parse(offer));
    await t.pc.setLocalDescription();
    await gathered(t.pc);
    return JSON.stringify(t.pc.localDescription);
  };
  t.accept = async (answer) => {
    await t.pc.setRemoteDescription(JSON.parse(answer));
    await within(t.opened, 'channel open');
  };
  t.waitOpen = async () => {
    await within(t.channel, 'remote data channel');
    await within(t.opened, 'channel open');
  };
  t.state = () => ({ connection: t.pc.connectionState, channel: t.dc ? t.dc.readyState : 'none' });
  t.selectedPair = async () => {
    const stats = await t.pc.getStats();
    let pairId = null;
    stats.forEach((s) => { if (s.type === 'transport') pairId = s.selectedCandidatePairId; });
    const pair = pairId && stats.get(pairId);
    if (!pair) return null;
    const end = (id) => { const c = stats.get(id); return c ? `${c.candidateType} ${c.address}:${c.port}` : '?'; };
    return `${end(pair.localCandidateId)} <-> ${end(pair.remoteCandidateId)}`;
  };
}

const site = await servePage();
const browser = await launch({ realIps: true });
let closing = false;
const finish = async (code) => {
  if (closing) return;
  closing = true;
  await browser.close();
  await site.close().catch(() => {});
  process.exit(code);
};
setTimeout(() => {
  process.stderr.write(`bench_idle_chromium: lifetime of ${LIFETIME_S} s over\n`);
  finish(3);
}, LIFETIME_S * 1000).unref();
// The benchmark that started us died: stop with it (polling here costs Chromium nothing).
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) finish(2); }, 1000).unref();

try {
  const otherContext = await browser.browser.newContext();
  await otherContext.grantPermissions(['camera', 'microphone']);
  const a = browser.page;
  const b = await otherContext.newPage();
  for (const page of [a, b]) {
    await page.goto(site.url);
    await page.evaluate(installPeer, STEP_MS);
  }
  // The page server is not needed any more: close it (and its keep-alive sockets) now,
  // so nothing but the data channel uses lo while the pair idles.
  await site.close();
  const offer = await a.evaluate(() => window.idle.offer());
  const answer = await b.evaluate((o) => window.idle.answer(o), offer);
  const openB = b.evaluate(() => window.idle.waitOpen());
  await a.evaluate((x) => window.idle.accept(x), answer);
  await openB;
  const pair = await a.evaluate(() => window.idle.selectedPair());
  process.stdout.write(`connected ${JSON.stringify({ chromium: browser.browser.version(), selected_pair: pair })}\n`);

  // Keeps the event loop alive until SIGUSR2 or the lifetime.
  const keepAlive = setInterval(() => {}, 1 << 30);
  process.on('SIGUSR2', async () => {
    clearInterval(keepAlive);
    try {
      const states = { a: await a.evaluate(() => window.idle.state()), b: await b.evaluate(() => window.idle.state()) };
      process.stdout.write(`final ${JSON.stringify(states)}\n`);
    } catch (e) {
      process.stderr.write(`bench_idle_chromium: reading the final state: ${e}\n`);
    }
    await finish(0);
  });
} catch (e) {
  process.stderr.write(`bench_idle_chromium: ${e.stack || e}\n`);
  await finish(1);
}
