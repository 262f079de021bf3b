#!/usr/bin/env node
// The dashboard's browser test, against a running stack:
//   node tests/browser/dashboard.mjs URL ASSISTCTL ASSISTD_CONF ARTIFACT_DIR
// URL is assist-web's base URL; ASSISTCTL and ASSISTD_CONF reach the same
// assistd, to push events and dump the state. Prints one line per check
// ("ok - ..." / "not ok - ... : reason") and "N passed, N failed" last; exits 0
// only when every check passed. Chromium is the system one (/usr/bin/chromium):
// playwright-core only drives it. A watchdog ends the run after two minutes,
// so a broken gateway fails and never hangs.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [BASE, ASSISTCTL, CONF, ARTIFACTS] = process.argv.slice(2);
if (!BASE || !ASSISTCTL || !CONF || !ARTIFACTS) {
  console.error('usage: node dashboard.mjs URL ASSISTCTL ASSISTD_CONF ARTIFACT_DIR');
  process.exit(64);
}
const base = BASE.replace(/\/+$/, '');
const WATCHDOG_MS = 120000;
const CHROMIUM = '/usr/bin/chromium';
// The network is closed: without these Chromium waits on connections it cannot make.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// An 18-character ID number. Not inside a longer run of letters and digits: a
// subject_key (32 hex characters) may hold 18 digits in a row by chance.
const FULL_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/;

const mask = (s) => String(s).replace(/(\d{6})\d{10}([\dXx]{2})/g, '$1**********$2');

let passed = 0;
let failed = 0;
// Every line is masked: an error message may quote an ID number the test used.
function report(name, ok, reason) {
  if (ok) { passed++; console.log(mask(`ok - ${name}`)); } else { failed++; console.log(mask(`not ok - ${name} : ${reason}`)); }
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'assist-browser-'));
let context = null;

async function finish(code) {
  if (context) await context.close().catch(() => {});
  fs.rmSync(scratch, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

setTimeout(() => {
  report('run', false, `not finished after ${WATCHDOG_MS / 1000} s`);
  finish(1);
}, WATCHDOG_MS);

// ---- helpers -----------------------------------------------------------------

function run(args, timeoutMs = 30000) {
  return new Promise((resolve) => {
    execFile(ASSISTCTL, ['-c', CONF, ...args], { maxBuffer: 1 << 30, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr: String(stderr).trim() });
    });
  });
}


// Fen as the page shows it: yuan, two decimals, thousands separated.
function yuan(fen) {
  const n = BigInt(fen);
  const digits = (n < 0n ? -n : n).toString().padStart(3, '0');
  return (n < 0n ? '-' : '') + digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + digits.slice(-2);
}

function idCheck(d17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(d17[i]) * w[i];
  return '10X98765432'[sum % 11];
}

// A valid ID number assistd does not know yet.
async function freshId() {
  for (let i = 0; i < 20; i++) {
    const y = 1950 + Math.floor(Math.random() * 50);
    const m = String(1 + Math.floor(Math.random() * 12)).padStart(2, '0');
    const d = String(1 + Math.floor(Math.random() * 28)).padStart(2, '0');
    const d17 = `420799${y}${m}${d}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
    const id = d17 + idCheck(d17);
    if ((await run(['get', id], 10000)).code === 3) return id;
  }
  throw new Error('no unknown ID number found in 20 tries');
}

const runTag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
let pushes = 0;

// Push one person as source caseworker, at the position after caseworker's last.
async function pushPerson(id, name) {
  const st = await run(['status', '--json'], 10000);
  if (st.code !== 0) throw new Error(`assistctl status: exit ${st.code}: ${st.stderr}`);
  const src = (JSON.parse(st.stdout).sources || {}).caseworker;
  const seq = (src ? Number(src.position) : 0) + 1;
  pushes++;
  const ev = { source: 'caseworker', seq, kind: 'person', person: { id_number: id, name, household_id: `H-WEB-${runTag}-${pushes}`, hukou: 'urban', area: 'city' } };
  const file = path.join(scratch, `push-${pushes}.jsonl`);
  fs.writeFileSync(file, JSON.stringify(ev) + '\n');
  const r = await run(['push', file], 30000);
  if (r.code !== 0) throw new Error(`assistctl push: exit ${r.code}: ${mask(r.stderr)}`);
}

async function dump() {
  const r = await run(['dump'], 60000);
  if (r.code !== 0) throw new Error(`assistctl dump: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

// The demo's live generator, stopped (its pid, or 0 when there is none).
function pausedGenerator() {
  try {
    const pid = Number(fs.readFileSync(path.join(path.dirname(CONF), 'assist-gen.pid'), 'utf8').trim());
    process.kill(pid, 'SIGSTOP');
    return pid;
  } catch {
    return 0;
  }
}

// A dump once two taken a second apart agree (the adapters have sent what was
// in flight); at most 20 s.
async function settledDump() {
  let last = await dump();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await dump();
    if (now === last) return now;
    last = now;
  }
  throw new Error('the stack did not settle within 20 s with assist-gen paused');
}

async function fetchText(url, opts = {}, ms = 15000) {
  const res = await fetch(url, Object.assign({ signal: AbortSignal.timeout(ms) }, opts));
  return { status: res.status, text: await res.text() };
}

// Read /events: calls onEvent({id, event, data}) per message until it returns
// true (stop now) or ms pass; a number returned stops that many ms later.
// onOpen, when given, is called once the stream's headers are in. Returns the
// messages read.
async function readEvents(headers, ms, onEvent, onOpen) {
  const ctl = new AbortController();
  let timer = setTimeout(() => ctl.abort(), ms);
  const got = [];
  try {
    const res = await fetch(`${base}/events`, { headers: Object.assign({ Accept: 'text/event-stream' }, headers), signal: ctl.signal });
    if (res.status !== 200) throw new Error(`/events answered ${res.status}`);
    if (onOpen) onOpen();
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const msg = { id: null, event: 'message', data: '' };
        for (const line of block.split('\n')) {
          const m = /^([^:]*):? ?(.*)$/.exec(line);
          if (!m || m[1] === '') continue; // a comment (keep-alive)
          if (m[1] === 'id') msg.id = m[2];
          else if (m[1] === 'event') msg.event = m[2];
          else if (m[1] === 'data') msg.data += (msg.data ? '\n' : '') + m[2];
        }
        if (msg.id === null && !msg.data) continue;
        got.push(msg);
        const stop = onEvent(msg);
        if (stop === true) { ctl.abort(); return got; }
        if (typeof stop === 'number') { clearTimeout(timer); timer = setTimeout(() => ctl.abort(), stop); }
      }
    }
  } catch (e) {
    if (!ctl.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  return got;
}

function num(text) { return Number(String(text || '').replace(/[^\d]/g, '')) || 0; }

// ---- the checks ----------------------------------------------------------------

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  context = await chromium.launchPersistentContext(path.join(scratch, 'profile'), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  const consoleErrors = [];
  // The unknown person's 404 is the answer check 3 asks for; Chromium logs it as an error.
  let expect404 = false;
  page.on('console', (m) => {
    if (m.type() !== 'error' || /favicon/.test(m.text())) return;
    if (expect404 && /status of 404/.test(m.text())) return;
    consoleErrors.push(`${m.text()} (${m.location().url || 'page'})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  // The known recipient of check 3, 6 and 7: someone with an active urban dibao.
  let known = null;
  try {
    for (const line of (await dump()).split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line);
      const b = (r.benefits || []).find((x) => x.scheme === 'urban_dibao' && x.status === 'active');
      if (b) { known = { id: r.id_number, monthly: b.monthly_fen }; break; }
    }
  } catch (e) {
    known = { error: e.message };
  }

  // 1. The page loads without console errors, and the counters are filled.
  try {
    await page.goto(`${base}/`, { waitUntil: 'load', timeout: 15000 });
    await page.waitForFunction(() => {
      const n = (s) => Number((document.querySelector(s)?.textContent || '').replace(/[^\d]/g, '')) || 0;
      return n('#count-recipients') > 0 && n('#count-applied') > 0 && typeof window.Chart !== 'undefined';
    }, null, { timeout: 15000 });
    await page.waitForTimeout(1000); // errors from the first summary and the stream's opening
    const rec = await page.textContent('#count-recipients');
    const applied = await page.textContent('#count-applied');
    report(`page loads: ${rec.trim()} recipients, ${applied.trim()} events applied, no console error`,
      consoleErrors.length === 0, `console errors: ${consoleErrors.slice(0, 3).join(' | ')}`);
  } catch (e) {
    report('page loads with counters above 0', false, `${e.message.split('\n')[0]}; console errors: ${consoleErrors.slice(0, 3).join(' | ') || 'none'}`);
  }

  // 2. A pushed event shows on the page within 2 s (from the end of the push).
  try {
    await page.waitForFunction(() => document.querySelector('#conn')?.textContent === 'live', null, { timeout: 10000 });
    const before = num(await page.textContent('#count-feed'));
    const name = `Browser Test ${runTag}`;
    await pushPerson(await freshId(), name);
    const t0 = Date.now();
    await page.waitForFunction(([n, b]) => {
      const feed = Number((document.querySelector('#count-feed')?.textContent || '').replace(/[^\d]/g, '')) || 0;
      return feed > b && (document.querySelector('#latest')?.textContent || '').includes(n);
    }, [name, before], { timeout: 2000 });
    report(`pushed event on the page in ${Date.now() - t0} ms (feed ${before} -> ${num(await page.textContent('#count-feed'))})`, true);
  } catch (e) {
    report('pushed event on the page within 2 s', false, e.message.split('\n')[0]);
  }

  // 3. A search for a known urban dibao recipient shows the benefit and its monthly amount.
  try {
    if (!known || known.error) throw new Error(known ? known.error : 'no record with an active urban_dibao in the dump');
    const want = yuan(known.monthly);
    await page.fill('#search', known.id);
    await page.press('#search', 'Enter');
    await page.waitForFunction((w) => {
      const t = document.querySelector('#search-result')?.textContent || '';
      return t.includes('urban_dibao') && t.includes(w);
    }, want, { timeout: 10000 });
    await page.fill('#search', ''); // the full ID number typed stays out of the artifact
    await page.locator('#search-section').screenshot({ path: path.join(ARTIFACTS, 'search.png') });
    report(`search ${mask(known.id)} shows urban_dibao ${want} yuan`, true);
  } catch (e) {
    report('search shows a known recipient\'s urban_dibao and amount', false, e.message.split('\n')[0]);
  }
  try {
    const unknownId = await freshId();
    expect404 = true;
    await page.fill('#search', unknownId);
    await page.press('#search', 'Enter');
    await page.waitForFunction(() => /no person/i.test(document.querySelector('#search-result')?.textContent || ''), null, { timeout: 10000 });
    await page.waitForTimeout(300); // both answers (record and explanation) in
    report('search for an unknown ID number says no such person is known', true);
  } catch (e) {
    report('search for an unknown ID number says no such person is known', false, e.message.split('\n')[0]);
  }

  expect404 = false;

  // 4. What if: 3 members, 300 yuan, urban, city, dialysis for 3 months ->
  // urban dibao (3 x 185 - 300) / 3 = 85.00 yuan each, Huimin 3 x 600 = 1,800.00.
  try {
    const form = page.locator('#whatif');
    await form.locator('[name=members]').fill('3');
    await form.locator('[name=income]').fill('300');
    await form.locator('[name=hukou][value=urban]').check();
    await form.locator('[name=area]').selectOption('city');
    await form.locator('[name=dibao]').check();
    await form.locator('[name=medical][value=chronic]').check();
    await form.locator('[name=chronic_disease]').selectOption('dialysis');
    await form.locator('[name=chronic_months]').fill('3');
    await form.locator('button[type=submit]').click();
    await page.waitForFunction(() => {
      const t = document.querySelector('#whatif-result')?.textContent || '';
      return (t.match(/(?<![\d,.])85\.00(?!\d)/g) || []).length >= 3 && /(?<![\d,.])1,800\.00(?!\d)/.test(t);
    }, null, { timeout: 20000 });
    report('what-if: urban dibao 85.00 yuan a month for each of 3 members, dialysis 1,800.00 yuan', true);
  } catch (e) {
    const t = await page.textContent('#whatif-result').catch(() => '');
    report('what-if: urban dibao 85.00 yuan each, dialysis 1,800.00 yuan', false, `${e.message.split('\n')[0]}; shown: ${mask(String(t).slice(0, 200))}`);
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true }).catch(() => {});

  // 5. SSE resume: read up to some id K, disconnect, push, reconnect with
  // Last-Event-ID K: the ids are K+1, K+2, ... with no gap, no duplicate, the push among them.
  try {
    const nameA = `Browser Resume A ${runTag}`;
    const nameB = `Browser Resume B ${runTag}`;
    // The stack may be idle: push one event while the first connection listens, so it ends.
    const idA = await freshId();
    const idB = await freshId();
    let k = null;
    let opened;
    const open = new Promise((r) => { opened = r; });
    const first = readEvents({}, 10000, (m) => { if (m.id !== null && m.data.includes(nameA)) { k = Number(m.id); return true; } return false; }, opened);
    await Promise.race([open, first]);
    await new Promise((r) => setTimeout(r, 300)); // the gateway subscribes as it answers
    await pushPerson(idA, nameA);
    await first;
    if (k === null) throw new Error(`the first connection saw no event of the push within 10 s`);
    await pushPerson(idB, nameB);
    let sawB = false;
    const ids = [];
    const again = await readEvents({ 'Last-Event-ID': String(k) }, 10000, (m) => {
      if (m.id !== null) ids.push(Number(m.id));
      if (sawB || !m.data.includes(nameB)) return false;
      sawB = true;
      return 1000; // read a second more, to see a duplicate if one comes
    });
    const bad = ids.findIndex((id, i) => id !== k + 1 + i);
    if (!sawB) throw new Error(`after Last-Event-ID ${k}: ${again.length} events, the pushed one not among them (ids ${ids.slice(0, 10).join(',')})`);
    if (bad >= 0) throw new Error(`after Last-Event-ID ${k}: expected id ${k + 1 + bad}, got ${ids[bad]} (ids ${ids.slice(0, 10).join(',')})`);
    report(`SSE resume from Last-Event-ID ${k}: ids ${k + 1}..${k + ids.length} in order, the push included`, true);
  } catch (e) {
    report('SSE resume with Last-Event-ID', false, e.message.split('\n')[0]);
  }

  // 6. No full ID number in any answer (no token given).
  const family = simulateLines(known && known.id);
  try {
    const leaks = [];
    const id = known && known.id ? known.id : '';
    const gets = ['/', '/api/summary', `/api/records/${id}`, `/api/explain/${id}`, '/api/roster', '/roster', '/api/funds'];
    for (const p of gets) {
      const r = await fetchText(`${base}${p}`);
      if (r.status !== 200) leaks.push(`${mask(p)} answered ${r.status}`);
      const m = FULL_ID.exec(r.text);
      if (m) leaks.push(`${mask(p)} holds ${mask(m[0])}`);
    }
    const sim = await fetchText(`${base}/api/simulate`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: family });
    if (sim.status !== 200) leaks.push(`POST /api/simulate answered ${sim.status}: ${mask(sim.text.slice(0, 100))}`);
    if (FULL_ID.test(sim.text)) leaks.push(`POST /api/simulate holds ${mask(FULL_ID.exec(sim.text)[0])}`);
    // A few seconds of the stream: the last 20 messages replayed, then what is live.
    const st = await run(['status', '--json'], 10000);
    const seq = st.code === 0 ? Number(JSON.parse(st.stdout).feed_seq) : 0;
    const events = await readEvents(seq > 20 ? { 'Last-Event-ID': String(seq - 20) } : {}, 3000, (m) => { if (FULL_ID.test(m.data)) { leaks.push(`/events id ${m.id} holds ${mask(FULL_ID.exec(m.data)[0])}`); return true; } return false; });
    report(`no full ID number in ${gets.length} GETs, POST /api/simulate and ${events.length} SSE events`, leaks.length === 0, leaks.slice(0, 4).join('; '));
  } catch (e) {
    report('no full ID number in the answers', false, e.message.split('\n')[0]);
  }

  // 7. A simulation leaves the state as it was: dumps before and after are byte-identical.
  // The demo's assist-gen changes the departments' data all the time: it is paused
  // (SIGSTOP) and the stack left to settle, so that only the simulation could change it.
  const genPid = pausedGenerator();
  try {
    const before = await settledDump();
    const sim = await fetchText(`${base}/api/simulate`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: family });
    if (sim.status !== 200) throw new Error(`POST /api/simulate answered ${sim.status}`);
    const records = JSON.parse(sim.text).records || [];
    const after = await dump();
    const changed = before !== after;
    report(`simulate (${records.length} records) leaves assistctl dump byte-identical`, !changed,
      'the dump changed while the stack was quiet');
  } catch (e) {
    report('simulate leaves assistctl dump byte-identical', false, e.message.split('\n')[0]);
  } finally {
    if (genPid) process.kill(genPid, 'SIGCONT');
  }

  // 8. The screenshots.
  const shots = ['dashboard.png', 'search.png'].map((f) => path.join(ARTIFACTS, f));
  const missing = shots.filter((f) => !fs.existsSync(f) || fs.statSync(f).size === 0);
  report(`screenshots ${shots.join(', ')}`, missing.length === 0, `missing: ${missing.join(', ')}`);

  report('no console error while the checks ran', consoleErrors.length === 0, consoleErrors.slice(0, 3).join(' | '));
}

// The simulation of checks 6 and 7: a made-up family with a claim, and a
// change of the known recipient (so that a simulation that stored anything
// would show in the dump).
function simulateLines(knownId) {
  const year = new Date().getUTCFullYear();
  const ids = [0, 1].map((i) => { const d17 = `420799${year - 40 - i}0101${String(100 + Math.floor(Math.random() * 900))}`; return d17 + idCheck(d17); });
  const hh = `H-WEB-SIM-${runTag}`;
  const lines = [
    { kind: 'household', household: { household_id: hh, members: 2, monthly_income_fen: 10000, area: 'city' } },
    ...ids.map((id, i) => ({ kind: 'person', person: { id_number: id, name: `Sim Member ${i + 1}`, household_id: hh, hukou: 'urban', area: 'city' } })),
    ...ids.map((id) => ({ kind: 'enrollment', enrollment: { id_number: id, scheme: 'urban_dibao', start_date: `${year}-01-01` } })),
    { kind: 'medical_claim', medical_claim: { claim_id: `WEB-SIM-${runTag}`, id_number: ids[0], date: `${year}-01-15`, setting: 'inpatient', hospital: 'huimin', disease: 'major', total_fen: 500000, insurer: 'huimin' } },
  ];
  if (knownId) lines.push({ kind: 'person', person: { id_number: knownId, name: 'Changed By Simulation' } });
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

main().then(() => finish(failed === 0 ? 0 : 1), (e) => {
  report('run', false, e.stack || String(e));
  finish(1);
});
