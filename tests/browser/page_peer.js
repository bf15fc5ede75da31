// A Chromium page as a WebRTC peer that a Rust test drives, one JSON command per line on
// stdin, one JSON reply per line on stdout ({"ok":true,...} or {"ok":false,"error":...}).
//
// Descriptions cross as the text a browser page shows: JSON.stringify(pc.localDescription).
// Commands:
//   {"op":"offer"}                     new pc + data channel "chat"; gathered offer -> {desc}
//   {"op":"answer","desc":"..."}       new pc; apply remote offer; gathered answer -> {desc}
//   {"op":"accept","desc":"..."}       apply a remote answer to the current pc
//   {"op":"check","desc":"...","as":"offer"|"answer"}
//                                      on a fresh pc, does setRemoteDescription accept it?
//   {"op":"connected"}                 wait for connectionState "connected"
//   {"op":"send","text":"..."}         wait for the channel to open, send
//   {"op":"recv"}                      next message -> {text}
//   {"op":"quit"}
// Run it only inside a private network namespace (see in-netns.sh).
import { createInterface } from 'node:readline';
import { launch, servePage } from './chromium.js';

const site = await servePage();
const chromium = await launch({ realIps: true });
const page = chromium.page;
await page.goto(site.url);

// Page-side helpers, installed once.
await page.evaluate(() => {
  const STEP = 15000;
  const within = (p, what) =>
    Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error(`${what} timed out`)), STEP))]);
  const gathered = (pc) =>
    within(new Promise((ok) => {
      if (pc.iceGatheringState === 'complete') return ok();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') ok();
      });
    }), 'gathering');
  const t = (window.tincan = { inbox: [], waiters: [] });
  const adopt = (dc) => {
    t.dc = dc;
    t.opened = new Promise((ok) => {
      if (dc.readyState === 'open') ok();
      dc.addEventListener('open', ok);
    });
    dc.addEventListener('message', (m) => {
      const w = t.waiters.shift();
      if (w) w(m.data); else t.inbox.push(m.data);
    });
  };
  const fresh = () => {
    if (t.pc) t.pc.close();
    t.pc = new RTCPeerConnection();
    t.dc = null;
    t.channel = new Promise((ok) => t.pc.addEventListener('datachannel', (e) => { adopt(e.channel); ok(); }));
    return t.pc;
  };
  t.run = async (cmd) => {
    switch (cmd.op) {
      case 'offer': {
        const pc = fresh();
        adopt(pc.createDataChannel('chat'));
        await pc.setLocalDescription();
        await gathered(pc);
        return { desc: JSON.stringify(pc.localDescription) };
      }
      case 'answer': {
        const pc = fresh();
        await pc.setRemoteDescription(JSON.parse(cmd.desc));
        await pc.setLocalDescription();
        await gathered(pc);
        return { desc: JSON.stringify(pc.localDescription) };
      }
      case 'accept':
        await t.pc.setRemoteDescription(JSON.parse(cmd.desc));
        return {};
      case 'check': {
        const pc = new RTCPeerConnection();
        try {
          if (cmd.as === 'answer') {
            pc.createDataChannel('chat');
            await pc.setLocalDescription();
          }
          await pc.setRemoteDescription(JSON.parse(cmd.desc));
          if (cmd.as === 'offer') await pc.setLocalDescription();
          return { signaling: pc.signalingState };
        } finally {
          pc.close();
        }
      }
      case 'connected':
        await within(new Promise((ok, no) => {
          const look = () => {
            if (t.pc.connectionState === 'connected') ok();
            if (t.pc.connectionState === 'failed') no(new Error('connection failed'));
          };
          look();
          t.pc.addEventListener('connectionstatechange', look);
        }), 'connection');
        return {};
      case 'send':
        if (!t.dc) await within(t.channel, 'remote data channel');
        await within(t.opened, 'channel open');
        t.dc.send(cmd.text);
        return {};
      case 'recv': {
        if (!t.dc) await within(t.channel, 'remote data channel');
        const text = t.inbox.length ? t.inbox.shift() : await within(new Promise((ok) => t.waiters.push(ok)), 'message');
        return { text };
      }
      default:
        throw new Error(`unknown op ${cmd.op}`);
    }
  };
});

const reply = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
reply({ ok: true, ready: true });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    reply({ ok: false, error: `bad command: ${e.message}` });
    continue;
  }
  if (cmd.op === 'quit') break;
  try {
    const out = await page.evaluate((c) => window.tincan.run(c), cmd);
    reply({ ok: true, ...out });
  } catch (e) {
    reply({ ok: false, error: String(e.message || e).split('\n')[0] });
  }
}
lines.close();
await chromium.close();
await site.close();
// Nothing else should keep the process alive, but never let a stray handle stall a test.
process.exit(0);
