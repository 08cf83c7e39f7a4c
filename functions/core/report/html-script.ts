/**
 * The one script report.html runs (its hash is in the page's Content-Security-Policy). It reads the
 * JSON block (worklist-data.ts describes the format) and draws the worklist and the rejected records
 * with DOM APIs and textContent only: no value from the input is ever parsed as markup or code. It
 * fetches nothing and sets no global.
 *
 * Plain ES2017 in a string, not compiled TypeScript, so that the text (and its hash) is the same in
 * every build that writes a report (CLI bundle, Lambda bundle, tests). Keep it free of backticks.
 */
export const WORKLIST_SCRIPT = String.raw`(function () {
'use strict';
var source = document.getElementById('report-data');
if (!source) return;
var D = JSON.parse(source.textContent || '{}');
var S = D.strings, R = D.rules, C = D.claims, L = D.lines, F = D.findings;
var SEV = ['error', 'warning', 'info'];
var SEV_WORD = { error: 'Error', warning: 'Warning', info: 'Info' };
var COUNT = new Intl.NumberFormat('en-US');
var CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
var TEXT = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
var PRINT_LIMIT = 1000;
function count(n) { return COUNT.format(n); }
function money(cents) { return '$' + CENTS.format(cents / 100); }
function charge(text) { return text === '' ? '(invalid)' : '$' + CENTS.format(Number(text)); }
function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function add(parent) {
  for (var i = 1; i < arguments.length; i++) {
    var child = arguments[i];
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return parent;
}
function $(id) { return document.getElementById(id); }

/* ---- the worklist's claims ---- */
var claimCount = C ? C.id.length : 0;
var lineStart = new Int32Array(claimCount + 1);
var findingStart = new Int32Array(L ? L.line.length + 1 : 1);
var claimOfLine = new Map();
var lineAtOf = new Map();
var claimRules = new Array(claimCount);
(function index() {
  var k = 0;
  for (var c = 0; c < claimCount; c++) {
    lineStart[c + 1] = lineStart[c] + C.lines[c];
    var rules = [];
    for (var j = lineStart[c]; j < lineStart[c + 1]; j++) {
      claimOfLine.set(L.line[j], c);
      lineAtOf.set(L.line[j], j);
      findingStart[j] = k;
      k += L.findings[j];
      findingStart[j + 1] = k;
      for (var f = findingStart[j]; f < k; f++) if (rules.indexOf(F.rule[f]) < 0) rules.push(F.rule[f]);
    }
    claimRules[c] = rules;
  }
})();
var searchText = new Array(claimCount);
function searchOf(c) {
  if (searchText[c] === undefined) {
    var parts = [S[C.id[c]], S[C.member[c]]];
    for (var j = lineStart[c]; j < lineStart[c + 1]; j++) parts.push(S[L.member[j]], S[L.code[j]]);
    searchText[c] = parts.join('\n').toLowerCase();
  }
  return searchText[c];
}
function claimName(c) { return S[C.id[c]] === '' ? '(no claim id) line ' + L.line[lineStart[c]] : S[C.id[c]]; }

var state = { q: '', rule: '', severity: '', provider: '', payer: '', sort: 'dollars', dir: -1, page: 0, size: 50 };
var expanded = new Set();
var view = [];
var viewCents = 0;
var printing = false;

var KEYS = {
  claim: function (c) { return S[C.id[c]]; },
  date: function (c) { return S[C.date[c]]; },
  provider: function (c) { return S[C.provider[c]]; },
  payer: function (c) { return S[C.payer[c]]; },
  errors: function (c) { return C.errors[c]; },
  warnings: function (c) { return C.warnings[c]; },
  dollars: function (c) { return C.cents[c]; }
};
var NUMERIC = { errors: true, warnings: true, dollars: true };

function computeView() {
  var q = state.q.trim().toLowerCase();
  var rule = state.rule === '' ? -1 : Number(state.rule);
  var provider = state.provider === '' ? -1 : Number(state.provider);
  var payer = state.payer === '' ? -1 : Number(state.payer);
  var severity = state.severity;
  var out = [];
  var cents = 0;
  for (var c = 0; c < claimCount; c++) {
    if (provider >= 0 && C.provider[c] !== provider) continue;
    if (payer >= 0 && C.payer[c] !== payer) continue;
    if (severity === 'error' && C.errors[c] === 0) continue;
    if (severity === 'warning' && C.warnings[c] === 0) continue;
    if (severity === 'info' && C.infos[c] === 0) continue;
    if (rule >= 0 && claimRules[c].indexOf(rule) < 0) continue;
    if (q !== '' && searchOf(c).indexOf(q) < 0) continue;
    out.push(c);
    cents += C.cents[c];
  }
  // The data come by dollars at risk, descending: any other order sorts, ties in that order.
  if (!(state.sort === 'dollars' && state.dir === -1)) {
    var key = KEYS[state.sort], dir = state.dir, numeric = NUMERIC[state.sort];
    out.sort(function (a, b) {
      var x = key(a), y = key(b);
      var order = numeric ? x - y : TEXT.compare(x, y);
      return order !== 0 ? order * dir : a - b;
    });
  }
  view = out;
  viewCents = cents;
}

function relatedLinks(lines) {
  var span = el('span');
  if (lines.length === 0) { span.textContent = 'none'; return span; }
  for (var i = 0; i < lines.length; i++) {
    if (i > 0) add(span, ', ');
    var line = lines[i];
    if (claimOfLine.has(line)) {
      var link = el('a', 'related', 'line ' + line);
      link.href = '#line-' + line;
      link.setAttribute('data-line', String(line));
      add(span, link);
    } else add(span, el('span', 'muted', 'line ' + line + ' (no findings on this page)'));
  }
  return span;
}

function term(list, label, value) {
  add(list, el('dt', '', label));
  var dd = el('dd');
  if (typeof value === 'string') dd.textContent = value; else add(dd, value);
  add(list, dd);
}

function findingBlock(f) {
  var rule = R[F.rule[f]];
  var severity = SEV[F.severity[f]];
  var block = el('div', 'finding');
  add(block, add(el('p', 'finding-title'), el('span', 'sev ' + severity, SEV_WORD[severity]), rule[1], el('span', 'rule-id', rule[0])));
  var list = el('dl');
  term(list, 'Message', S[F.message[f]]);
  term(list, 'Fix', rule[2]);
  term(list, 'Source', rule[3]);
  term(list, 'Related', relatedLinks(F.related[f]));
  add(block, list);
  return block;
}

function detailRow(c) {
  var row = el('tr', 'detail');
  row.id = 'detail-' + c;
  var cell = el('td');
  cell.colSpan = 7;
  var lines = lineStart[c + 1] - lineStart[c];
  var inner = el('div', 'detail-body');
  add(inner, add(el('p', 'claim-head'), 'Claim ', el('b', '', claimName(c)), ' · member ', el('b', '', S[C.member[c]] || '(none)'),
    ' · ' + count(lines) + (lines === 1 ? ' flagged line' : ' flagged lines')));
  for (var j = lineStart[c]; j < lineStart[c + 1]; j++) {
    var box = el('div', 'line');
    box.id = 'line-' + L.line[j];
    box.tabIndex = -1;
    var head = add(el('p', 'line-head'), el('b', '', 'Line ' + L.line[j]),
      ' · claim line ' + (S[L.lineNo[j]] || '?') + ' · ' + (S[L.date[j]] || 'no date') + ' · code ', el('b', '', S[L.code[j]] || '?'),
      ' · charge ' + charge(S[L.charge[j]]) + ' · pack ' + S[L.pack[j]]);
    if (L.member[j] !== C.member[c]) add(head, ' · member ' + S[L.member[j]]);
    add(box, head);
    for (var f = findingStart[j]; f < findingStart[j + 1]; f++) add(box, findingBlock(f));
    add(inner, box);
  }
  return add(row, add(cell, inner));
}

function countCell(n, severity) {
  return el('td', 'n count ' + (n > 0 ? severity : 'zero'), count(n));
}

function claimRow(c) {
  var row = el('tr', 'claim' + (expanded.has(c) ? ' open' : ''));
  var open = el('button', 'open-claim');
  open.type = 'button';
  var twisty = el('span', 'twisty', expanded.has(c) ? '▾' : '▸');
  twisty.setAttribute('aria-hidden', 'true');
  add(open, twisty, el('span', 'claim-name', claimName(c)));
  open.setAttribute('data-claim', String(c));
  open.setAttribute('aria-expanded', expanded.has(c) ? 'true' : 'false');
  open.setAttribute('aria-controls', 'detail-' + c);
  add(row, add(el('td', 'claim-id'), open), el('td', 'date', S[C.date[c]]), el('td', 'provider', S[C.provider[c]] || '(none)'),
    el('td', 'payer', S[C.payer[c]] || '(none)'), countCell(C.errors[c], 'error'), countCell(C.warnings[c], 'warning'),
    el('td', 'n dollars' + (C.cents[c] > 0 ? ' some' : ''), money(C.cents[c])));
  return row;
}

var table = $('claims');
var body = table ? table.tBodies[0] : null;
var pager = document.querySelector('#worklist .pager');

function pages() { return Math.max(1, Math.ceil(view.length / state.size)); }

function render() {
  if (!body) return;
  var start = printing ? 0 : state.page * state.size;
  var end = Math.min(view.length, start + (printing ? PRINT_LIMIT : state.size));
  var rows = document.createDocumentFragment();
  for (var i = start; i < end; i++) {
    rows.appendChild(claimRow(view[i]));
    if (expanded.has(view[i])) rows.appendChild(detailRow(view[i]));
  }
  body.textContent = '';
  body.appendChild(rows);
  var status = $('view-status');
  status.textContent = '';
  if (view.length === 0) add(status, 'No claim matches. ', el('span', '', 'Clear the search or a filter to see claims again.'));
  else add(status, 'Showing ', el('b', '', count(start + 1) + '–' + count(end)), ' of ', el('b', '', count(view.length)),
    view.length === 1 ? ' claim' : ' claims', (view.length < claimCount ? ' (of ' + count(claimCount) + ')' : ''), ' · ',
    el('b', '', money(viewCents)), ' at risk in view');
  var heads = table.tHead.rows[0].cells;
  for (var h = 0; h < heads.length; h++) {
    var key = heads[h].getAttribute('data-sort');
    heads[h].setAttribute('aria-sort', key === state.sort ? (state.dir < 0 ? 'descending' : 'ascending') : 'none');
  }
  pager.querySelector('.page-of').textContent = 'Page ' + count(state.page + 1) + ' of ' + count(pages());
  pager.querySelector('[data-page=first]').disabled = state.page === 0;
  pager.querySelector('[data-page=prev]').disabled = state.page === 0;
  pager.querySelector('[data-page=next]').disabled = state.page >= pages() - 1;
  pager.querySelector('[data-page=last]').disabled = state.page >= pages() - 1;
}

function refresh() { computeView(); state.page = Math.min(state.page, pages() - 1); render(); }

function option(select, value, text) {
  var item = el('option', '', text);
  item.value = String(value);
  select.appendChild(item);
}

function fillFilters() {
  var rules = $('f-rule'), severity = $('f-severity'), provider = $('f-provider'), payer = $('f-payer');
  var seen = [];
  for (var c = 0; c < claimCount; c++) for (var r = 0; r < claimRules[c].length; r++) seen[claimRules[c][r]] = true;
  for (var i = 0; i < R.length; i++) if (seen[i]) option(rules, i, R[i][1] + ' (' + R[i][0] + ')');
  option(severity, 'error', 'Has errors');
  option(severity, 'warning', 'Has warnings');
  if (C.infos.some(function (n) { return n > 0; })) option(severity, 'info', 'Has info');
  var providers = new Map(), payers = new Map();
  for (var k = 0; k < claimCount; k++) {
    var p = providers.get(C.provider[k]) || { claims: 0, cents: 0 };
    p.claims += 1; p.cents += C.cents[k];
    providers.set(C.provider[k], p);
    payers.set(C.payer[k], (payers.get(C.payer[k]) || 0) + 1);
  }
  Array.from(providers.entries()).sort(function (a, b) { return b[1].cents - a[1].cents || TEXT.compare(S[a[0]], S[b[0]]); })
    .forEach(function (entry) { option(provider, entry[0], (S[entry[0]] || '(none)') + ' · ' + money(entry[1].cents) + ' · ' + count(entry[1].claims) + (entry[1].claims === 1 ? ' claim' : ' claims')); });
  Array.from(payers.entries()).sort(function (a, b) { return TEXT.compare(S[a[0]], S[b[0]]); })
    .forEach(function (entry) { option(payer, entry[0], (S[entry[0]] || '(none)') + ' · ' + count(entry[1]) + (entry[1] === 1 ? ' claim' : ' claims')); });
}

var FILTERS = { q: 'q', rule: 'f-rule', severity: 'f-severity', provider: 'f-provider', payer: 'f-payer' };
function clearFilters() {
  for (var name in FILTERS) { state[name] = ''; $(FILTERS[name]).value = ''; }
}

var lastTarget = null;
function goToLine(line) {
  var c = claimOfLine.get(line);
  if (c === undefined) return;
  var at = view.indexOf(c);
  if (at < 0) { clearFilters(); computeView(); at = view.indexOf(c); }
  state.page = Math.floor(at / state.size);
  expanded.add(c);
  render();
  var target = $('line-' + line);
  if (lastTarget) lastTarget.classList.remove('target');
  target.classList.add('target');
  lastTarget = target;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
}

if (body) {
  fillFilters();
  var timer = 0;
  $('q').addEventListener('input', function (event) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = event.target.value; state.page = 0; refresh(); }, 120);
  });
  ['rule', 'severity', 'provider', 'payer'].forEach(function (name) {
    $(FILTERS[name]).addEventListener('change', function (event) { state[name] = event.target.value; state.page = 0; refresh(); });
  });
  $('f-clear').addEventListener('click', function () { clearFilters(); state.page = 0; refresh(); });
  table.tHead.addEventListener('click', function (event) {
    var th = event.target.closest('th[data-sort]');
    if (!th) return;
    var key = th.getAttribute('data-sort');
    if (state.sort === key) state.dir = -state.dir;
    else { state.sort = key; state.dir = NUMERIC[key] ? -1 : 1; }
    state.page = 0;
    refresh();
  });
  body.addEventListener('click', function (event) {
    var link = event.target.closest('a[data-line]');
    if (link) { event.preventDefault(); goToLine(Number(link.getAttribute('data-line'))); return; }
    var open = event.target.closest('button[data-claim]');
    if (!open) return;
    var c = Number(open.getAttribute('data-claim'));
    if (expanded.has(c)) expanded.delete(c); else expanded.add(c);
    render();
    var again = body.querySelector('button[data-claim="' + c + '"]');
    if (again) again.focus();
  });
  pager.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-page]');
    if (!button) return;
    var to = button.getAttribute('data-page');
    state.page = to === 'first' ? 0 : to === 'prev' ? state.page - 1 : to === 'next' ? state.page + 1 : pages() - 1;
    state.page = Math.max(0, Math.min(state.page, pages() - 1));
    render();
    table.scrollIntoView({ block: 'start' });
  });
  $('page-size').addEventListener('change', function (event) { state.size = Number(event.target.value); state.page = 0; render(); });
  window.addEventListener('beforeprint', function () { printing = true; render(); });
  window.addEventListener('afterprint', function () { printing = false; render(); });
  refresh();
}

/* ---- the rejected records ---- */
var rejectedTable = $('rejected-table');
if (rejectedTable && D.rejected) {
  var J = D.rejected, rejectedPage = 0, REJECTED_PAGE = 50;
  var rejectedPager = $('rejected-pager');
  var rejectedPages = Math.max(1, Math.ceil(J.line.length / REJECTED_PAGE));
  var drawRejected = function () {
    var rows = document.createDocumentFragment();
    for (var i = rejectedPage * REJECTED_PAGE; i < Math.min(J.line.length, (rejectedPage + 1) * REJECTED_PAGE); i++) {
      var where = J.endLine[i] > J.line[i] ? J.line[i] + '–' + J.endLine[i] : String(J.line[i]);
      rows.appendChild(add(el('tr'), el('td', 'n', where), el('td', '', S[J.reason[i]]), add(el('td'), el('pre', 'raw', S[J.raw[i]]))));
    }
    rejectedTable.tBodies[0].textContent = '';
    rejectedTable.tBodies[0].appendChild(rows);
    rejectedPager.hidden = rejectedPages === 1;
    rejectedPager.querySelector('.page-of').textContent = 'Page ' + count(rejectedPage + 1) + ' of ' + count(rejectedPages);
    rejectedPager.querySelector('[data-page=prev]').disabled = rejectedPage === 0;
    rejectedPager.querySelector('[data-page=next]').disabled = rejectedPage >= rejectedPages - 1;
  };
  rejectedPager.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-page]');
    if (!button) return;
    rejectedPage = Math.max(0, Math.min(rejectedPages - 1, rejectedPage + (button.getAttribute('data-page') === 'next' ? 1 : -1)));
    drawRejected();
  });
  drawRejected();
}
})();
`;
