// A person using plain_chat.html in headless Chromium, driven by a Rust test with one
// JSON command per line on stdin and one JSON reply per line on stdout
// ({"ok":true,...} or {"ok":false,"error":...}). Like a person, it only clicks, types
// and reads what the page shows; it never calls into the page's script.
// Commands:
//   {"op":"offer"}                 click "Create offer", copy the description -> {desc}
//   {"op":"paste","desc":"..."}    paste their description, click "Use their description";
//                                  if the page then shows an answer -> {desc}
//   {"op":"status","is":"connected"}  wait until the status shows exactly that
//   {"op":"send","text":"..."}     type into the message box, click Send
//   {"op":"see","text":"..."}      wait until a log line says exactly that
//   {"op":"log"}                   every log line -> {lines}
//   {"op":"quit"}
// Run it only inside a private network namespace (see in-netns.sh).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { launch } from './chromium.js';

const STEP = 15000;
const html = readFileSync(new URL('./plain_chat.html', import.meta.url));
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
// PLAIN_CHAT_MDNS=1: an ordinary browser's default, addresses hidden behind .local names.
const chromium = await launch({ realIps: process.env.PLAIN_CHAT_MDNS !== '1' });
const page = chromium.page;
await page.goto(`http://127.0.0.1:${server.address().port}/`);

/** What the "Your description" box shows, once it shows something other than `before`. */
async function copyDescription(before) {
  const box = page.locator('#local');
  const deadline = Date.now() + STEP;
  while (Date.now() < deadline) {
    const text = await box.inputValue();
    if (text && text !== before) return text;
    await page.waitForTimeout(50);
  }
  throw new Error('the page showed no description in time');
}

async function run(cmd) {
  switch (cmd.op) {
    case 'offer': {
      const before = await page.locator('#local').inputValue();
      await page.click('#offer');
      return { desc: await copyDescription(before) };
    }
    case 'paste': {
      const before = await page.locator('#local').inputValue();
      await page.fill('#remote', cmd.desc);
      await page.click('#apply');
      if (JSON.parse(cmd.desc).type === 'offer') return { desc: await copyDescription(before) };
      return {};
    }
    case 'status':
      await page.locator('#status', { hasText: new RegExp(`^${cmd.is}$`) }).waitFor({ timeout: STEP });
      return {};
    case 'send':
      await page.fill('#text', cmd.text);
      await page.click('#send');
      return {};
    case 'see':
      await page.locator('#log li').filter({ hasText: new RegExp(`^${escape(cmd.text)}$`) }).first().waitFor({ timeout: STEP });
      return {};
    case 'log':
      return { lines: await page.locator('#log li').allTextContents() };
    default:
      throw new Error(`unknown op ${cmd.op}`);
  }
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
    reply({ ok: true, ...(await run(cmd)) });
  } catch (e) {
    reply({ ok: false, error: String(e.message || e).split('\n')[0] });
  }
}
lines.close();
await chromium.close();
server.closeAllConnections();
await new Promise((ok) => server.close(ok));
process.exit(0);
