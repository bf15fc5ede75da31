// Chromium <-> Chromium baseline for Tincan's link benchmark (issue 3): two pages, each in
// its own browser context (so each peer has its own renderer, like two devices), connected
// serverless-style: non-trickle (wait for gathering to complete) and the whole
// JSON.stringify(pc.localDescription) passed across, as a code would carry it.
//
// Usage (private namespace only): ./in-netns.sh node bench_chromium.js [pairs] [pings] [total] [sizes]
//   total: bytes per throughput run (default 64 MiB); sizes: message sizes, comma-separated
//   (default 16384,65536). bench_files passes its file's size and 61440 (a file chunk).
// Prints one JSON object on stdout:
//   { chromium, selected_pair, timer_resolution_us, pairs, connect_ms: [...], connect_median_ms, pings, rtt_p50_ms, rtt_p99_ms,
//     mbs_16k, mbs_64k, mbs: { size: MB/s }, total_bytes }
// The bytes sent are one message buffer filled in memory (no file, no hash).
// What is measured, the same way as the Rust rows in tests/examples/bench_connect.rs:
//   connect: from applying the answer on the offerer to the data channel open on both
//            sides, median of fresh pairs (timestamps taken inside the pages on the shared
//            high-resolution clock, performance.timeOrigin + performance.now());
//   round trip: 64-byte binary ping, echoed by the other page, timed by the sender;
//   throughput: 64 MiB in 16 KiB and in 64 KiB messages, paused above 1 MiB buffered and
//            resumed on bufferedamountlow (threshold 256 KiB); timed from the first send
//            to a 1-byte acknowledgement of the last byte (one extra round trip, ~0.5 ms).
import { launch, servePage } from './chromium.js';

const PAIRS = Number(process.argv[2] || 10);
const PINGS = Number(process.argv[3] || 2000);
const TOTAL = Number(process.argv[4] || 64 << 20);
const SIZES = (process.argv[5] || `${16 << 10},${64 << 10}`).split(',').map(Number);
// Every step in the page is bounded: a stuck pair fails the run instead of hanging it.
const STEP_MS = 20000;

// Installed in both pages. One peer connection per page at a time.
function installPeer(STEP_MS) {
  const now = () => performance.timeOrigin + performance.now();
  const within = (p, what) =>
    Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error(`${what} timed out`)), STEP_MS))]);
  const gathered = (pc) =>
    within(new Promise((ok) => {
      if (pc.iceGatheringState === 'complete') return ok();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') ok();
      });
    }), 'gathering');
  const t = (window.bench = {});
  // Makes `dc` the page's channel; resolves t.opened with the open time.
  const adopt = (dc) => {
    dc.binaryType = 'arraybuffer';
    t.dc = dc;
    t.onmessage = null;
    dc.onmessage = (m) => t.onmessage && t.onmessage(m.data);
    t.opened = new Promise((ok) => {
      if (dc.readyState === 'open') ok(now());
      else dc.addEventListener('open', () => ok(now()), { once: true });
    });
  };
  const fresh = () => {
    if (t.pc) t.pc.close();
    t.pc = new RTCPeerConnection();
    t.dc = null;
    t.channel = new Promise((ok) => t.pc.addEventListener('datachannel', (e) => { adopt(e.channel); ok(); }));
    return t.pc;
  };
  t.offer = async () => {
    const pc = fresh();
    adopt(pc.createDataChannel('bench'));
    await pc.setLocalDescription();
    await gathered(pc);
    return JSON.stringify(pc.localDescription);
  };
  t.answer = async (offer) => {
    const pc = fresh();
    await pc.setRemoteDescription(JSON.parse(offer));
    await pc.setLocalDescription();
    await gathered(pc);
    return JSON.stringify(pc.localDescription);
  };
  // Offerer: apply the answer, wait for its channel to open. Returns both instants.
  t.accept = async (answer) => {
    const started = now();
    await t.pc.setRemoteDescription(JSON.parse(answer));
    const opened = await within(t.opened, 'channel open');
    return { started, opened };
  };
  // Answerer: the instant its (remote-created) channel was open.
  t.openedAt = async () => {
    await within(t.channel, 'remote data channel');
    return within(t.opened, 'channel open');
  };
  // Echo every message back (round trips), or acknowledge `total` bytes (throughput).
  t.echo = () => { t.onmessage = (d) => t.dc.send(d); };
  t.sink = (total) => {
    let got = 0;
    t.onmessage = (d) => {
      got += d.byteLength;
      if (got >= total) { t.onmessage = null; t.dc.send(new Uint8Array(1)); }
    };
  };
  const next = () => new Promise((ok) => { t.onmessage = (d) => { t.onmessage = null; ok(d); }; });
  // One bound around the whole loop: no timer is created inside a timed round trip.
  t.pings = (n) => within((async () => {
    const ping = new Uint8Array(64).fill(7);
    const ms = [];
    for (let i = 0; i < n; i++) {
      const reply = next();
      const start = performance.now();
      t.dc.send(ping);
      await reply;
      ms.push(performance.now() - start);
    }
    return ms;
  })(), 'pings');
  t.blast = async (total, size) => {
    const dc = t.dc;
    const msg = new Uint8Array(size).fill(1);
    const HIGH = 1 << 20;
    dc.bufferedAmountLowThreshold = 256 << 10;
    const acked = next();
    const start = performance.now();
    for (let sent = 0; sent < total; sent += size) {
      if (dc.bufferedAmount > HIGH) {
        await within(new Promise((ok) => dc.addEventListener('bufferedamountlow', ok, { once: true })), 'drain');
      }
      dc.send(total - sent < size ? msg.subarray(0, total - sent) : msg);
    }
    await within(acked, 'acknowledgement');
    return performance.now() - start;
  };
  // "local-address:port <-> remote-address:port" of the pair ICE selected.
  t.selectedPair = async () => {
    const stats = await t.pc.getStats();
    let pairId = null;
    stats.forEach((s) => { if (s.type === 'transport') pairId = s.selectedCandidatePairId; });
    const pair = pairId && stats.get(pairId);
    if (!pair) return null;
    const end = (id) => { const c = stats.get(id); return c ? `${c.candidateType} ${c.address}:${c.port}` : '?'; };
    return `${end(pair.localCandidateId)} <-> ${end(pair.remoteCandidateId)}`;
  };
  t.isolated = () => self.crossOriginIsolated;
  t.close = () => { if (t.pc) t.pc.close(); t.pc = null; t.dc = null; };
}

const percentile = (sorted, p) => sorted[Math.round((sorted.length - 1) * p)];
const median = (v) => percentile([...v].sort((a, b) => a - b), 0.5);

const site = await servePage({ isolated: true });
const browser = await launch({ realIps: true });
let exitCode = 0;
try {
  // A second context gives the second peer its own renderer process.
  const otherContext = await browser.browser.newContext();
  await otherContext.grantPermissions(['camera', 'microphone']);
  const a = browser.page;
  const b = await otherContext.newPage();
  for (const page of [a, b]) {
    await page.goto(site.url);
    await page.evaluate(installPeer, STEP_MS);
  }
  const pair = async () => {
    const offer = await a.evaluate(() => window.bench.offer());
    const answer = await b.evaluate((o) => window.bench.answer(o), offer);
    const openedB = b.evaluate(() => window.bench.openedAt());
    const { started, opened } = await a.evaluate((x) => window.bench.accept(x), answer);
    return Math.max(opened, await openedB) - started;
  };

  const connects = [];
  for (let i = 0; i < PAIRS; i++) {
    connects.push(await pair());
    await a.evaluate(() => window.bench.close());
    await b.evaluate(() => window.bench.close());
  }

  await pair();
  const selectedPair = await a.evaluate(() => window.bench.selectedPair());
  const isolated = await a.evaluate(() => window.bench.isolated());
  await b.evaluate(() => window.bench.echo());
  const rtt = (await a.evaluate((n) => window.bench.pings(n), PINGS)).sort((x, y) => x - y);

  const mbs = {};
  for (const size of SIZES) {
    await b.evaluate((n) => window.bench.sink(n), TOTAL);
    const ms = await a.evaluate(([n, s]) => window.bench.blast(n, s), [TOTAL, size]);
    mbs[size] = TOTAL / (ms / 1000) / 1e6;
  }

  const version = browser.browser.version();
  process.stdout.write(JSON.stringify({
    chromium: version,
    selected_pair: selectedPair,
    timer_resolution_us: isolated ? 5 : 100,
    pairs: PAIRS,
    connect_ms: connects,
    connect_median_ms: median(connects),
    pings: PINGS,
    rtt_p50_ms: percentile(rtt, 0.5),
    rtt_p99_ms: percentile(rtt, 0.99),
    mbs_16k: mbs[16 << 10],
    mbs_64k: mbs[64 << 10],
    mbs,
    total_bytes: TOTAL,
  }) + '\n');
} catch (e) {
  process.stderr.write(`bench_chromium: ${e.stack || e}\n`);
  exitCode = 1;
} finally {
  await browser.close();
  await site.close();
}
process.exit(exitCode);
