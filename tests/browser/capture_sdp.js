// Captures real Chromium session descriptions as fixtures for the SDP parser.
//
// Usage (private namespace only): ./in-netns.sh node capture_sdp.js <out-dir>
// Writes, as JSON.stringify(pc.localDescription) — what a browser page would show:
//   chromium-offer.json / chromium-answer.json  host candidates with real (loopback) IPs,
//                                               from a pair that is then checked to connect;
//   chromium-mdns-offer.json                    Chromium's default: addresses hidden as <uuid>.local.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, servePage } from './chromium.js';

const out = process.argv[2];
if (!out) throw new Error('usage: node capture_sdp.js <out-dir>');

// Runs in the page: an offerer and an answerer, full gathering, then a message across.
async function pairInPage() {
  const gathered = (pc) =>
    new Promise((ok, fail) => {
      if (pc.iceGatheringState === 'complete') return ok();
      const t = setTimeout(() => fail(new Error('gathering timed out')), 10000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(t); ok(); }
      });
    });
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  const dc = a.createDataChannel('chat');
  await a.setLocalDescription();
  await gathered(a);
  const offer = JSON.stringify(a.localDescription);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await gathered(b);
  const answer = JSON.stringify(b.localDescription);
  const got = new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error('no message')), 10000);
    b.addEventListener('datachannel', (e) => {
      e.channel.addEventListener('message', (m) => { clearTimeout(t); ok(m.data); });
    });
  });
  dc.addEventListener('open', () => dc.send('hello'));
  await a.setRemoteDescription(b.localDescription);
  const message = await got;
  a.close(); b.close();
  return { offer, answer, message };
}

// Runs in the page: Chromium's default offer, candidates collected for a bounded time.
async function mdnsOfferInPage() {
  const a = new RTCPeerConnection();
  a.createDataChannel('chat');
  await a.setLocalDescription();
  await new Promise((ok) => {
    const t = setTimeout(ok, 15000);
    a.addEventListener('icegatheringstatechange', () => {
      if (a.iceGatheringState === 'complete') { clearTimeout(t); ok(); }
    });
  });
  const offer = JSON.stringify(a.localDescription);
  a.close();
  return offer;
}

const site = await servePage();
try {
  const real = await launch({ realIps: true });
  try {
    await real.page.goto(site.url);
    const { offer, answer, message } = await real.page.evaluate(pairInPage);
    if (message !== 'hello') throw new Error(`pair did not connect: ${message}`);
    writeFileSync(join(out, 'chromium-offer.json'), offer + '\n');
    writeFileSync(join(out, 'chromium-answer.json'), answer + '\n');
    console.log(offer, '\n', answer);
  } finally {
    await real.close();
  }
  const hidden = await launch({ realIps: false });
  try {
    await hidden.page.goto(site.url);
    const offer = await hidden.page.evaluate(mdnsOfferInPage);
    if (!offer.includes('.local')) throw new Error(`no mDNS candidate in ${offer}`);
    writeFileSync(join(out, 'chromium-mdns-offer.json'), offer + '\n');
    console.log(offer);
  } finally {
    await hidden.close();
  }
} finally {
  await site.close();
}
