// The dashboard of assist-web: plain JS, no framework, no build step.
// Every figure comes from assist-web's JSON API (the proto3 JSON mapping of
// proto/assist.proto) and its Server-Sent Events at /events. Text from the
// server is always put in the page as text (textContent), never as HTML.
'use strict';

const SUMMARY_EVERY_MS = 5000;   // how often the counters, charts and funds are fetched again
const ALERTS_KEPT = 50;          // the alert stream shows the newest 50
const LATEST_KEPT = 20;          // the latest record changes shown
const FRESH_S = 60;              // a department heard from within a minute is green
const SILENT_S = 3600;           // silent for over an hour (or never heard from) is red

// Plain names of the schemes; the code is shown beside them, as caseworkers
// also meet it in exports and on the roster.
const SCHEMES = {
  urban_dibao: 'Urban dibao', rural_dibao: 'Rural dibao', huimin: 'Huimin medical insurance',
  ncms: 'Rural cooperative medical (NCMS)', medical_assistance: 'Medical assistance',
  chronic_quota: 'Chronic-disease quota', temporary_medical: 'Temporary medical assistance',
  vagrant_medical: 'Medical aid for vagrants', misc_fee_exemption: 'School fee exemption',
  textbook_exemption: 'Textbook exemption', tuition_exemption: 'Tuition exemption',
  boarding_allowance: 'Boarding allowance', key_high_school: 'Key high school grant',
  university_entry: 'University entry grant', university_monthly: 'University monthly grant',
  vocational: 'Vocational school grant', urban_rental: 'Urban rental subsidy',
  rent_reduction: 'Rent reduction', rural_new_build: 'Rural house building',
  rural_repair: 'Rural house repair', affordable: 'Affordable housing',
  vocational_training: 'Vocational training', entrepreneurship_training: 'Entrepreneurship training',
  poverty_training: 'Poverty alleviation training', sunshine_training: 'Sunshine training',
  public_welfare_post: 'Public welfare post', utilities: 'Utilities relief',
  disaster_relief: 'Disaster relief', legal_aid: 'Legal aid', central_support: 'Central support',
  education: 'Education assistance', worker_insurance: "Workers' medical insurance",
  unspecified: 'Total',
};

const KINDS = { decision: 'decision', reversal: 'reversal', payment: 'monthly payment', arrears: 'arrears', recovery: 'recovery' };

// ---- small helpers ---------------------------------------------------------

// el('td', {class: 'n'}, 'text', child...): a DOM element; strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return e;
}

function $(sel) { return document.querySelector(sel); }

// Fen to yuan with two decimals and thousands separators, by string
// arithmetic on the integer: 180000 -> "1,800.00", -5 -> "-0.05". No floats,
// so no rounding surprises.
function yuan(fen) {
  const n = BigInt(Math.trunc(Number(fen) || 0));
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + whole + '.' + digits.slice(-2);
}

// Yuan typed by a person ("300", "1,234.5") to integer fen; null when it is not an amount.
function parseYuan(text) {
  const s = String(text || '').trim().replace(/,/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

function count(n) { return Number(n || 0).toLocaleString('en-US'); }

function schemeName(code) {
  return el('span', { class: 'scheme' }, SCHEMES[code] || code, ' ', el('code', {}, code));
}

function ago(iso) {
  const t = Date.parse(iso);
  if (!iso || Number.isNaN(t)) return null;
  return Math.max(0, Math.round((Date.now() - t) / 1000));
}

function agoText(s) {
  if (s === null) return 'never heard from';
  if (s < 90) return `last heard ${s} s ago`;
  if (s < 5400) return `last heard ${Math.round(s / 60)} min ago`;
  if (s < 172800) return `last heard ${Math.round(s / 3600)} h ago`;
  return `last heard ${Math.round(s / 86400)} days ago`;
}

// GET or POST JSON; an error reply ({"error": "..."}) becomes an Error with
// .status, so callers can tell "unknown person" (404) from a broken gateway.
async function api(path, opts) {
  const res = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, opts));
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON: handled below */ }
  if (!res.ok || body === null) {
    const err = new Error((body && body.error) || `${res.status} ${res.statusText}`);
    err.status = res.status;
    throw err;
  }
  return body;
}

function showPageError(text) {
  const p = $('#page-error');
  p.hidden = !text;
  p.textContent = text || '';
}

// ---- live state ------------------------------------------------------------

const state = {
  feedSeq: 0,            // the highest feed sequence known, from the summary or the stream
  seen: 0,               // record messages seen on the stream since the page opened
  alertKeys: new Set(),  // alerts already in the stream (a record carries its alerts every time it changes)
  alerts: [],            // newest first
  byCode: {},            // counts by alert code: the summary's, plus live ones since
  latest: [],            // latest record changes, newest first
};

let schemeChart = null;
let placeChart = null;

function barChart(canvas, label, color) {
  // Chart.js comes from chart.umd.js; without it the rest of the page still works.
  if (typeof Chart === 'undefined') return null;
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label, data: [], backgroundColor: color }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

function setChart(chart, labels, values) {
  if (!chart) return;
  chart.data.labels = labels;
  chart.data.datasets[0].data = values;
  chart.update();
}

function setFeedSeq(seq) {
  if (Number(seq) > state.feedSeq) state.feedSeq = Number(seq);
  $('#count-feed').textContent = count(state.feedSeq);
}

// status.sources is a list in the API; assistctl's --json gives an object keyed
// by source. Either is taken, so the page reads both shapes.
function sourcesOf(status) {
  const s = status.sources || [];
  return Array.isArray(s) ? s : Object.entries(s).map(([source, v]) => Object.assign({ source }, v));
}

function renderCounters(status) {
  const applied = sourcesOf(status).reduce((sum, s) => sum + Number(s.applied || 0), 0);
  $('#count-recipients').textContent = count(status.recipients);
  $('#count-applied').textContent = count(applied);
  $('#count-dead').textContent = count(status.dead_letters);
  setFeedSeq(status.feed_seq);
}

function renderSources(status) {
  const list = $('#sources');
  list.replaceChildren();
  for (const s of sourcesOf(status).sort((a, b) => a.source.localeCompare(b.source))) {
    const age = ago(s.last_seen);
    let light = 'green';
    let word = 'fresh';
    if (age === null || age > SILENT_S) { light = 'red'; word = 'silent'; }
    else if (s.stale || s.problem || age > FRESH_S) { light = 'amber'; word = s.problem ? 'problem' : (s.stale ? 'stale' : 'late'); }
    const detail = [agoText(age), `${count(s.applied)} applied`, `${count(s.rejected)} rejected`];
    if (s.problem) detail.push(`problem: ${s.problem}`);
    list.append(el('li', { class: `source light-${light}`, 'data-source': s.source, 'data-light': light },
      el('span', { class: 'dot', 'aria-hidden': 'true' }),
      el('strong', {}, s.source), ' ', el('span', { class: 'word' }, word),
      el('span', { class: 'detail' }, detail.join(' · '))));
  }
}

function renderCharts(byScheme, byPlace) {
  // By scheme: the rows at level city that name a scheme (the total row, scheme
  // unspecified, is left out: a person with two schemes counts once there).
  const schemes = (byScheme.rows || []).filter((r) => r.scheme && r.scheme !== 'unspecified');
  setChart(schemeChart, schemes.map((r) => SCHEMES[r.scheme] || r.scheme), schemes.map((r) => Number(r.value)));
  const districts = (byPlace.rows || []).filter((r) => r.level === 'district');
  setChart(placeChart, districts.map((r) => (r.place && r.place.district) || '(no district)'), districts.map((r) => Number(r.value)));
}

function renderFunds(funds) {
  $('#funds-year').textContent = String(funds.year || 'this year');
  const body = $('#funds tbody');
  body.replaceChildren();
  // The funds that moved this year get a row each; the others one line below,
  // so the table stays short enough to read.
  const all = funds.funds || [];
  const moved = all.filter((f) => Number(f.spent_fen) !== 0 || f.exceeded);
  const idle = all.filter((f) => !moved.includes(f));
  $('#funds-idle').textContent = idle.length ? `Nothing spent yet: ${idle.map((f) => SCHEMES[f.scheme] || f.scheme).join(', ')}.` : '';
  for (const f of moved) {
    const over = f.exceeded || (f.has_budget && Number(f.remaining_fen) < 0);
    let used = el('span', { class: 'muted' }, 'no budget');
    if (f.has_budget && Number(f.budget_fen) > 0) {
      // A percentage for the eye only; the amounts beside it are exact.
      const pct = Math.round((Number(f.spent_fen) * 100) / Number(f.budget_fen));
      const fill = el('span', { class: 'fill' });
      fill.style.width = `${Math.min(pct, 100)}%`;
      used = el('span', { class: 'usage' }, el('span', { class: 'bar' }, fill), ` ${pct} %`, over ? el('strong', { class: 'over-label' }, ' over budget') : null);
    }
    body.append(el('tr', { class: over ? 'exceeded' : null, 'data-scheme': f.scheme },
      el('td', {}, schemeName(f.scheme)),
      el('td', { class: 'n' }, f.has_budget ? yuan(f.budget_fen) : '–'),
      el('td', { class: 'n' }, yuan(f.spent_fen)),
      el('td', { class: 'n' }, f.has_budget ? yuan(f.remaining_fen) : '–'),
      el('td', {}, used),
      el('td', { class: 'n' }, count(f.recipients))));
  }
}

// ---- alerts and latest records ---------------------------------------------

// One alert into the stream, once: an alert of a record comes again every time
// the record changes, so it is keyed by who, what and which ref.
function addAlert(alert, who, seq, live) {
  const key = [who || '', alert.code, alert.scheme, alert.ref, alert.message].join('|');
  if (state.alertKeys.has(key)) return;
  state.alertKeys.add(key);
  if (live) state.byCode[alert.code] = (state.byCode[alert.code] || 0) + 1;
  state.alerts.unshift({ alert, who, seq, at: live ? new Date() : null });
  state.alerts.sort((a, b) => Number(b.seq || 0) - Number(a.seq || 0));
  state.alerts.length = Math.min(state.alerts.length, ALERTS_KEPT);
}

function alertsOfMessage(msg, live) {
  if (msg.alert && msg.alert.code) addAlert(msg.alert, msg.topic, msg.seq, live);
  if (msg.record) {
    const who = `${msg.record.name || '(no name)'} ${msg.record.id_number || ''}`.trim();
    for (const a of msg.record.alerts || []) addAlert(a, who, msg.seq, live);
  }
}

function renderAlerts() {
  const chips = $('#alert-counts');
  chips.replaceChildren();
  const codes = Object.keys(state.byCode).sort();
  if (codes.length === 0) chips.append(el('li', { class: 'muted' }, 'No alerts this year.'));
  for (const code of codes) chips.append(el('li', { class: 'chip', 'data-code': code }, el('code', {}, code), ' ', el('strong', {}, count(state.byCode[code]))));
  const list = $('#alerts');
  list.replaceChildren();
  for (const a of state.alerts) {
    list.append(el('li', {},
      el('span', { class: 'when' }, a.at ? a.at.toLocaleTimeString('en-GB') : `#${a.seq}`),
      el('div', {},
        el('code', { class: 'code' }, a.alert.code), ' ',
        a.alert.scheme && a.alert.scheme !== 'unspecified' ? el('span', { class: 'tag' }, SCHEMES[a.alert.scheme] || a.alert.scheme) : null, ' ',
        el('span', { class: 'who' }, a.who || ''),
        el('div', { class: 'msg' }, a.alert.message || ''))));
  }
}

function renderLatest() {
  const list = $('#latest');
  list.replaceChildren();
  if (state.latest.length === 0) list.append(el('li', { class: 'muted' }, 'Waiting for the next change…'));
  for (const r of state.latest) {
    const active = (r.benefits || []).filter((b) => b.status === 'active').map((b) => `${SCHEMES[b.scheme] || b.scheme} ${yuan(b.monthly_fen)} yuan a month`);
    list.append(el('li', { 'data-seq': r.seq },
      el('span', { class: 'when' }, r.at.toLocaleTimeString('en-GB')),
      el('div', {},
        el('strong', { class: 'name' }, r.name || '(no name)'), ' ',
        el('span', { class: 'who' }, [r.id_number, r.household_id, r.place && r.place.district].filter(Boolean).join(' · ')),
        el('div', { class: 'msg' }, active.length ? active.join(', ') : 'no active benefit'))));
  }
}

// ---- the summary, fetched every few seconds ----------------------------------

async function refreshSummary() {
  try {
    const s = await api('/api/summary');
    renderCounters(s.status || {});
    renderSources(s.status || {});
    renderCharts(s.recipients_by_scheme || {}, s.recipients_by_place || {});
    renderFunds(s.funds || {});
    const alerts = s.alerts || {};
    state.byCode = Object.assign({}, alerts.by_code || {});
    for (const m of alerts.recent || []) alertsOfMessage(m, false);
    renderAlerts();
    $('#updated').textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`;
    showPageError('');
  } catch (e) {
    showPageError(`Cannot fetch the summary: ${e.message}. Retrying.`);
  }
}

// ---- the live feed ---------------------------------------------------------

function startFeed() {
  // EventSource reconnects by itself and sends Last-Event-ID, so no change is lost.
  const es = new EventSource('/events');
  const conn = $('#conn');
  es.onopen = () => { conn.textContent = 'live'; conn.className = 'conn conn-live'; };
  es.onerror = () => { conn.textContent = 'reconnecting…'; conn.className = 'conn conn-wait'; };
  es.addEventListener('record', (ev) => {
    const msg = JSON.parse(ev.data);
    state.seen += 1;
    $('#count-seen').textContent = count(state.seen);
    setFeedSeq(msg.seq || ev.lastEventId);
    if (msg.record) {
      state.latest.unshift(Object.assign({ seq: msg.seq, at: new Date() }, msg.record));
      state.latest.length = Math.min(state.latest.length, LATEST_KEPT);
      renderLatest();
    }
    alertsOfMessage(msg, true);
    renderAlerts();
  });
  es.addEventListener('alert', (ev) => {
    const msg = JSON.parse(ev.data);
    setFeedSeq(msg.seq || ev.lastEventId);
    alertsOfMessage(msg, true);
    renderAlerts();
  });
}

// ---- explanations ------------------------------------------------------------

// The explanations of a record, matched to its benefits and ledger entries:
// "benefit <scheme>" to a benefit row, "ledger <ref> <scheme>" and
// "reversal <ref> <scheme>" to the entries of that ref, in order (a ref may
// have a decision, a reversal and a new decision). A month's payment and its
// recovery or arrears share a ref: those go by the rule (payment.recovery,
// payment.arrears), so a payment never takes its recovery's explanation.
const BY_RULE = ['recovery', 'arrears'];

function explanationIndex(items) {
  const queues = new Map();
  const used = new Set();
  for (const x of items || []) {
    const op = String(x.subject || '').split(' ')[0];
    const key = op === 'benefit' ? `benefit|${x.scheme}` : `${op}|${x.ref}|${x.scheme}`;
    if (!queues.has(key)) queues.set(key, []);
    queues.get(key).push(x);
  }
  const take = (key, fits) => {
    const q = queues.get(key) || [];
    const i = q.findIndex(fits);
    if (i < 0) return null;
    const [x] = q.splice(i, 1);
    used.add(x);
    return x;
  };
  const ruleKind = (x) => String(x.rule || '').split('.').pop();
  return {
    benefit: (b) => take(`benefit|${b.scheme}`, () => true),
    entry: (e) => take(`${e.kind === 'reversal' ? 'reversal' : 'ledger'}|${e.ref}|${e.scheme}`,
      BY_RULE.includes(e.kind) ? (x) => ruleKind(x) === e.kind : (x) => !BY_RULE.includes(ruleKind(x))),
    rest: () => (items || []).filter((x) => !used.has(x)),
  };
}

function paramValue(p) {
  if (p.unit === 'fen') return `${yuan(p.value)} yuan`;
  if (p.unit === 'bp') return `${(Number(p.value) / 100).toString()} %`;
  return `${p.value}${p.unit ? ' ' + p.unit : ''}`;
}

// One explanation: the result always in view, the rule, parameters (each with
// its policy clause) and inputs behind "why?".
function explanationView(x) {
  if (!x) return el('div', { class: 'explain muted' }, 'No explanation kept for this entry.');
  const params = (x.params || []).map((p) => el('tr', {},
    el('td', {}, el('code', {}, p.name)), el('td', { class: 'n' }, paramValue(p)),
    el('td', {}, p.effective ? `since ${p.effective}` : ''), el('td', {}, p.clause || '')));
  const inputs = (x.inputs || []).map((i) => el('li', {}, el('code', {}, i.name), ' = ', i.value));
  return el('div', { class: 'explain' },
    el('p', { class: 'result' }, x.result || '(no result given)'),
    el('details', {},
      el('summary', {}, 'why? rule ', el('code', {}, x.rule || '?'), x.source ? ` (from ${x.source})` : ''),
      params.length ? el('table', { class: 'data params' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Parameter'), el('th', { class: 'n' }, 'Value'), el('th', {}, 'In force'), el('th', {}, 'Policy clause'))),
        el('tbody', {}, params)) : el('p', { class: 'muted' }, 'No parameters.'),
      inputs.length ? el('ul', { class: 'inputs' }, inputs) : null));
}

// A benefit's explanation; a benefit without one still shows its own reason.
function benefitWhy(x, b) {
  return x ? explanationView(x) : el('p', { class: 'result' }, b.reason || '');
}

function benefitsTable(benefits, idx) {
  if (!benefits || benefits.length === 0) return el('p', { class: 'muted' }, 'No benefits.');
  return el('table', { class: 'data benefits' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Scheme'), el('th', { class: 'n' }, 'Monthly (yuan)'), el('th', {}, 'Status'), el('th', {}, 'Since'), el('th', {}, 'Until'), el('th', {}, 'How it was worked out'))),
    el('tbody', {}, benefits.map((b) => el('tr', { class: `status-${b.status}`, 'data-scheme': b.scheme },
      el('td', {}, schemeName(b.scheme), b.class ? ` class ${b.class}` : ''),
      el('td', { class: 'n amount' }, yuan(b.monthly_fen)),
      el('td', {}, b.status), el('td', {}, b.since || ''), el('td', {}, b.until || 'open'),
      el('td', {}, benefitWhy(idx.benefit(b), b))))));
}

function entitlementsList(ents) {
  if (!ents || ents.length === 0) return el('p', { class: 'muted' }, 'No entitlements.');
  const sorted = ents.slice().sort((a, b) => Number(b.eligible) - Number(a.eligible));
  return el('ul', { class: 'entitlements' }, sorted.map((e) => el('li', { class: e.eligible ? 'yes' : 'no' },
    el('strong', {}, e.eligible ? 'eligible' : 'not eligible'), ' ', schemeName(e.scheme), ': ', e.reason || '')));
}

function ledgerTable(ledger, idx) {
  if (!ledger || ledger.length === 0) return el('p', { class: 'muted' }, 'No ledger entries.');
  return el('table', { class: 'data ledger' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Date'), el('th', {}, 'Scheme'), el('th', {}, 'What'), el('th', { class: 'n' }, 'Requested (yuan)'), el('th', { class: 'n' }, 'Amount (yuan)'), el('th', {}, 'Explanation'))),
    el('tbody', {}, ledger.map((e) => el('tr', { class: e.clipped ? 'clipped' : null, 'data-scheme': e.scheme },
      el('td', {}, e.date || ''), el('td', {}, schemeName(e.scheme)),
      el('td', {}, `${KINDS[e.kind] || e.kind}${e.period ? ` for ${e.period}` : ''}`, el('br'), el('code', { class: 'muted' }, e.ref),
        // A payment's reason only repeats its month.
        e.reason && e.reason !== `monthly payment for ${e.period}` ? [el('br'), el('span', { class: 'muted' }, e.reason)] : null),
      el('td', { class: 'n' }, yuan(e.requested_fen)),
      el('td', { class: 'n amount' }, yuan(e.amount_fen), e.clipped ? el('span', { class: 'flag' }, ' clipped') : null),
      el('td', {}, explanationView(idx.entry(e)))))),
    el('tfoot', {}, el('tr', {}, el('td', { colspan: 4 }, 'Total of these entries'),
      el('td', { class: 'n amount' }, yuan(ledger.reduce((sum, e) => sum + Number(e.amount_fen || 0), 0))), el('td', {}))));
}

function alertsList(alerts) {
  if (!alerts || alerts.length === 0) return null;
  return el('ul', { class: 'record-alerts' }, alerts.map((a) => el('li', {}, el('code', {}, a.code), ' ', a.message || '')));
}

function placeText(p) {
  return p ? [p.district, p.town, p.community].filter(Boolean).join(' / ') : '';
}

// A person's record with its explanations (search and what-if both use it).
function recordView(rec, items, headingLevel) {
  const idx = explanationIndex(items);
  const h = headingLevel || 'h3';
  const hh = rec.household || {};
  const rest = () => {
    const others = idx.rest();
    return others.length ? [el('h4', {}, 'Other decisions'), others.map((x) => el('div', {}, el('p', { class: 'subject' }, x.subject), explanationView(x)))] : null;
  };
  // The ledger is built before "other decisions", so that those are the explanations left over.
  const ledger = ledgerTable(rec.ledger, idx);
  const benefits = benefitsTable(rec.benefits, idx);
  return el('article', { class: 'record' },
    el(h, {}, rec.name || '(no name)', ' ', el('span', { class: 'id' }, rec.id_number || '')),
    el('p', { class: 'facts' }, [
      `household ${rec.household_id || '–'}`,
      `${hh.members || '?'} members, income ${yuan(hh.monthly_income_fen)} yuan a month`,
      `hukou ${rec.hukou}`, `area ${rec.area}`, placeText(rec.place),
      (rec.categories || []).length ? `categories: ${rec.categories.join(', ')}` : '',
      rec.deceased_on ? `deceased ${rec.deceased_on}` : '',
      rec.as_of ? `as of ${rec.as_of}` : '',
    ].filter(Boolean).join(' · ')),
    alertsList(rec.alerts),
    el('h4', {}, 'Benefits'), benefits,
    el('h4', {}, 'Entitlements'), entitlementsList(rec.entitlements),
    el('h4', {}, 'Ledger'), ledger,
    rest());
}

// ---- search ----------------------------------------------------------------

async function search(ev) {
  ev.preventDefault();
  const out = $('#search-result');
  const id = $('#search').value.trim().toUpperCase();
  const asOf = $('#search-asof').value;
  if (!/^\d{17}[\dX]$/.test(id)) {
    out.replaceChildren(el('p', { class: 'error' }, 'An ID number is 17 digits and a last digit or X.'));
    return;
  }
  out.replaceChildren(el('p', { class: 'muted' }, 'Looking up…'));
  const q = asOf ? `?as_of=${encodeURIComponent(asOf)}` : '';
  try {
    const [rec, ex] = await Promise.all([
      api(`/api/records/${encodeURIComponent(id)}${q}`),
      api(`/api/explain/${encodeURIComponent(id)}`).catch(() => ({ items: [] })),
    ]);
    out.replaceChildren(recordView(rec, ex.items || ex.explanations || []));
  } catch (e) {
    const text = e.status === 404 ? `No person with ID number ${id} is known.` : `The lookup failed: ${e.message}`;
    out.replaceChildren(el('p', { class: 'error not-found' }, text));
  }
}

// ---- what if ----------------------------------------------------------------

// GB 11643 check character of 17 digits (weights 2^(17-i) mod 11).
function idCheck(d17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(d17[i]) * weights[i];
  return '10X98765432'[sum % 11];
}

// A made-up, valid ID number: area code 420700 (the city itself, which no
// district issues), the birth date, a random sequence, the check character.
function madeUpId(birth) {
  const seq = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const d17 = `420700${birth.replace(/-/g, '')}${seq}`;
  return d17 + idCheck(d17);
}

function today() { return new Date().toISOString().slice(0, 10); }

// The JSON lines describing the family, as examples/simulate.jsonl does: no
// source and no position (assist-web simulates each as its kind's department).
function whatIfEvents(f) {
  const year = Number(today().slice(0, 4));
  const hh = `WHATIF-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const events = [{ kind: 'household', household: { household_id: hh, members: f.members, monthly_income_fen: f.incomeFen, area: f.area } }];
  const members = [];
  for (let i = 0; i < f.members; i++) {
    // Two adults, then children; the birth dates only need to be real days in the past.
    const birth = i === 0 ? `${year - 45}-05-05` : i === 1 ? `${year - 42}-07-07` : `${year - 18 + i}-03-0${1 + (i % 9)}`;
    const name = i === 0 ? 'Applicant' : `Member ${i + 1}`;
    const id = madeUpId(birth);
    members.push({ id, name });
    const person = { id_number: id, name, household_id: hh, hukou: f.hukou, area: f.area };
    if (i === 0 && f.categories.length) person.categories = f.categories;
    events.push({ kind: 'person', person });
  }
  if (f.dibao) {
    // Enrolled from the first of January, so a claim dated today finds the household in dibao.
    for (const m of members) {
      const en = { id_number: m.id, scheme: f.hukou === 'rural' ? 'rural_dibao' : 'urban_dibao', start_date: `${year}-01-01` };
      if (f.hukou === 'rural') {
        en.class = f.ruralClass;
        if (f.ruralClass !== 'I' && f.ruralAmountFen !== null) en.amount_fen = f.ruralAmountFen;
      }
      events.push({ kind: 'enrollment', enrollment: en });
    }
  }
  // Urban hukou is insured by Huimin, rural by NCMS.
  const insurer = f.hukou === 'rural' ? 'ncms' : 'huimin';
  if (f.medical === 'bill') {
    const claim = { claim_id: `WHATIF-BILL-${Date.now()}`, id_number: members[0].id, date: today(), setting: f.bill.setting, disease: f.bill.disease, total_fen: f.bill.totalFen, insurer };
    if (f.bill.setting === 'inpatient') claim.hospital = f.bill.hospital;
    events.push({ kind: 'medical_claim', medical_claim: claim });
  } else if (f.medical === 'chronic') {
    events.push({ kind: 'medical_claim', medical_claim: { claim_id: `WHATIF-CHRONIC-${Date.now()}`, id_number: members[0].id, date: today(), setting: 'chronic_outpatient', disease: f.chronic.disease, total_fen: f.chronic.totalFen, insurer, months: f.chronic.months } });
  }
  return { events, members };
}

// The form's values, checked; a string when something is wrong.
function whatIfForm(form) {
  const v = (name) => form.elements[name].value;
  const members = Number(v('members'));
  if (!Number.isInteger(members) || members < 1 || members > 10) return 'Members: a whole number from 1 to 10.';
  const incomeFen = parseYuan(v('income'));
  if (incomeFen === null) return 'Monthly household income: an amount in yuan, e.g. 300 or 300.50.';
  const f = {
    members, incomeFen, hukou: v('hukou'), area: v('area'), dibao: form.elements.dibao.checked,
    ruralClass: v('rural_class'), ruralAmountFen: parseYuan(v('rural_amount')),
    categories: [...form.querySelectorAll('input[name=cat]:checked')].map((c) => c.value),
    medical: v('medical'),
  };
  if (f.hukou === 'rural' && f.dibao && f.ruralClass !== 'I' && f.ruralAmountFen === null) return 'Rural dibao class II or III: give the monthly amount in yuan.';
  if (f.medical === 'bill') {
    const totalFen = parseYuan(v('bill_total'));
    if (totalFen === null) return 'Medical bill: give the total in yuan.';
    f.bill = { setting: v('bill_setting'), disease: v('bill_disease'), hospital: v('bill_hospital'), totalFen };
  } else if (f.medical === 'chronic') {
    const months = Number(v('chronic_months'));
    if (!Number.isInteger(months) || months < 1 || months > 12) return 'Chronic disease: months from 1 to 12.';
    // The subsidies are fixed monthly sums below 1,000 yuan; a blank cost is taken
    // as 1,000 yuan a month so that the bill never caps the subsidy.
    const totalFen = v('chronic_total').trim() === '' ? months * 100000 : parseYuan(v('chronic_total'));
    if (totalFen === null) return 'Chronic disease: the cost of treatment in yuan, or blank.';
    f.chronic = { disease: v('chronic_disease'), months, totalFen };
  }
  return f;
}

function whatIfView(reply, members, f) {
  const records = reply.records || [];
  const explanations = reply.explanations || [];
  const order = new Map(members.map((m, i) => [m.name, i]));
  // Each record keeps its explanations (same index); shown in the family's order.
  const pairs = records.map((r, i) => ({ r, items: (explanations[i] || {}).items || (explanations[i] || {}).explanations || [] }))
    .sort((a, b) => (order.has(a.r.name) ? order.get(a.r.name) : 99) - (order.has(b.r.name) ? order.get(b.r.name) : 99));
  const monthly = pairs.reduce((sum, p) => sum + (p.r.benefits || []).filter((b) => b.status === 'active')
    .reduce((s, b) => s + Number(b.monthly_fen || 0), 0), 0);
  const once = pairs.reduce((sum, p) => sum + (p.r.ledger || []).reduce((s, e) => s + Number(e.amount_fen || 0), 0), 0);
  const rejected = (reply.rejections || []).map((j) => el('li', {},
    `event ${j.position ? j.position.major : '?'}${j.field ? ` (${j.field})` : ''}: ${j.reason}`));
  return el('div', {},
    el('p', { class: 'totals' }, `For the household of ${f.members}: `,
      el('strong', {}, `${yuan(monthly)} yuan a month`), ' in monthly benefits',
      once ? [', and ', el('strong', {}, `${yuan(once)} yuan`), ' paid on the claim'] : null, '.'),
    rejected.length ? [el('p', { class: 'error' }, 'Some of the facts were not taken:'), el('ul', { class: 'error' }, rejected)] : null,
    pairs.map((p) => recordView(p.r, p.items, 'h3')));
}

async function whatIf(ev) {
  ev.preventDefault();
  const form = ev.target;
  const out = $('#whatif-result');
  const f = whatIfForm(form);
  if (typeof f === 'string') { out.replaceChildren(el('p', { class: 'error' }, f)); return; }
  const { events, members } = whatIfEvents(f);
  out.replaceChildren(el('p', { class: 'muted' }, 'Working it out…'));
  try {
    const reply = await api('/api/simulate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson', Accept: 'application/json' },
      body: events.map((e) => JSON.stringify(e)).join('\n') + '\n',
    });
    out.replaceChildren(whatIfView(reply, members, f));
  } catch (e) {
    out.replaceChildren(el('p', { class: 'error' }, `The simulation failed: ${e.message}`));
  }
}

// Show only the parts of the what-if form that apply.
function whatIfToggles() {
  const form = $('#whatif');
  const sync = () => {
    const rural = form.elements.hukou.value === 'rural' && form.elements.dibao.checked;
    form.querySelector('.rural-only').hidden = !rural;
    form.querySelector('.bill-only').hidden = form.elements.medical.value !== 'bill';
    form.querySelector('.chronic-only').hidden = form.elements.medical.value !== 'chronic';
  };
  form.addEventListener('change', sync);
  sync();
}

// ---- start -----------------------------------------------------------------

function start() {
  schemeChart = barChart($('#chart-scheme'), 'Recipients', '#2f6fa7');
  placeChart = barChart($('#chart-place'), 'Recipients', '#4f8a3c');
  renderLatest();
  $('#search-form').addEventListener('submit', search);
  $('#whatif').addEventListener('submit', whatIf);
  whatIfToggles();
  startFeed();
  refreshSummary();
  setInterval(refreshSummary, SUMMARY_EVERY_MS);
}

document.addEventListener('DOMContentLoaded', start);
