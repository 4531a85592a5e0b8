// The page: an expression in, its derivative typeset, derived and checked (README.md, "Web page").
//
// As the user types, /api/parse reads the expression (debounced): its symbols fill the variable
// picker, the shapes matcalc infers fill the shapes field (until the user types shapes of their
// own), and a syntax error shows under the box with the caret under the offending character.
// Then each panel of PANELS asks its endpoint and shows the answer.  The URL always holds the
// expression and its declarations (?expr=…&wrt=…&kind=…&structure=…), so it is a permalink: opening it
// answers at once.  Everything the server sends is put in as text, except the check report's
// HTML, which matcalc writes with every value escaped.
"use strict";

const DEBOUNCE_MS = 250;
const VEC = (x) => `\\operatorname{vec}\\left(${x}\\right)`;
const KINDS = {  // kind → the field holding its Unicode answer, the LaTeX of what it is, the file a download gets
  grad: {
    field: "gradient", file: "gradient.tex",
    tex: (x, s) => (s.structure ? `\\operatorname{grad} f = ` : `\\frac{\\partial f}{\\partial ${x}} = `),
  },
  differential: { field: "differential", tex: () => "", file: "differential.tex" },
  jacobian: {
    field: "jacobian", file: "jacobian.tex",
    tex: (x, s) => (s.layout === "denominator" ? `\\frac{\\partial ${VEC("F")}^{\\top}}{\\partial ${VEC(x)}} = `
      : `\\frac{\\partial ${VEC("F")}}{\\partial ${VEC(x)}^{\\top}} = `),
  },
  hessian: { field: "hessian", tex: (x) => `\\frac{\\partial^{2} f}{\\partial ${VEC(x)}\\,\\partial ${VEC(x)}^{\\top}} = `, file: "hessian.tex" },
  vjp: { field: "vjp", tex: (x) => `\\frac{\\partial L}{\\partial ${x}} = `, file: "vjp.tex" },
  solve: { field: "solution", tex: (x) => `${x} = `, file: "solution.tex" },
};
const DERIVED = new Set(["grad", "differential", "hessian", "solve"]);  // f is scalar: its gradient derives
const CHECKED_BY_ITSELF = new Set(["jacobian", "hessian", "vjp"]);  // the check comes with the answer

// The panels under the form, in order.  Each asks one endpoint (request → [endpoint, options]
// or null when it has nothing to say for this kind) and shows the answer.  A panel is one entry.
const PANELS = [
  {
    id: "answer", title: "Answer", open: true,
    request: (s) => [s.kind, s.kind === "jacobian" ? { layout: s.layout } : s.kind === "vjp" ? { upstream: s.upstream } : {}],
    show: showAnswer,
  },
  {
    id: "derivation", title: "Derivation, step by step", open: false,
    request: (s) => (DERIVED.has(s.kind) ? ["derive", {}] : null),
    show: showDerivation,
    none: "Derivations are of gradients: choose gradient, differential, Hessian or solve.",
  },
  {
    id: "check", title: "Numeric check", open: true,
    request: (s) => (CHECKED_BY_ITSELF.has(s.kind) ? [s.kind, { ...PANELS[0].request(s)[1], check: true }]
      : s.kind === "solve" ? null : ["check", {}]),
    show: showCheck,
    none: "A stationary point has no finite-difference check.",
  },
];

const $ = (id) => document.getElementById(id);
const FIELDS = ["expr", "wrt", "kind", "shapes", "domains", "functions", "structure", "layout", "upstream"];
let parseTimer = null;
let generation = 0;          // the newest parse or compute; older answers are dropped
let pendingWrt = null;       // the variable a permalink names, chosen once the symbols are known
let mathjaxChain = null;     // MathJax typesets one equation at a time

// ---- talking to the server -------------------------------------------------------------------

async function post(endpoint, body) {
  let response;
  try {
    response = await fetch(`/api/${endpoint}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
  } catch (e) {
    return { ok: false, data: { error: `the server cannot be reached (${e.message})`, kind: "NetworkError" } };
  }
  let data;
  try {
    data = await response.json();
  } catch (e) {
    data = { error: `the server answered ${response.status} without JSON`, kind: "ServerError" };
  }
  return { ok: response.ok, data };
}

function state() {
  const s = {};
  for (const f of FIELDS) s[f] = $(f).value;
  s.declaredShapes = $("shapes").dataset.declared === "yes";
  return s;
}

function declarations(s) {
  const d = { domains: s.domains, functions: s.functions };
  if (s.declaredShapes) d.shapes = s.shapes;
  return d;
}

// ---- typesetting -------------------------------------------------------------------------------

function typeset(element, latex) {
  element.replaceChildren();
  element.dataset.latex = latex;
  if (!window.MathJax || !MathJax.startup) {
    element.textContent = latex;
    return Promise.resolve();
  }
  mathjaxChain = (mathjaxChain || MathJax.startup.promise.then(() => {
    document.head.append(MathJax.svgStylesheet());  // hides the assistive MathML, sizes the SVG
  })).then(() =>
    MathJax.tex2svgPromise(latex, { display: true }).then((node) => {
      if (element.dataset.latex === latex) element.replaceChildren(node);
    }).catch((e) => { element.textContent = latex; element.title = `MathJax: ${e.message}`; }));
  return mathjaxChain;
}

// ---- text with a copy and a download button ---------------------------------------------------

function copyButton(label, text) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "copy";
  b.textContent = label;
  b.dataset.text = text;
  b.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {  // no clipboard API (not a secure context): select and copy
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    b.textContent = `${label} ✓`;
    setTimeout(() => { b.textContent = label; }, 1500);
  });
  return b;
}

function downloadButton(label, text, filename) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "download";
  b.textContent = label;
  b.dataset.text = text;
  b.dataset.filename = filename;
  b.addEventListener("click", () => {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });
  return b;
}

function textBlock(element, text, latex, filename) {
  const block = document.createElement("div");
  block.className = "text-block";
  const code = document.createElement("pre");
  code.className = "unicode";
  code.textContent = text;
  const buttons = document.createElement("div");
  buttons.className = "buttons";
  buttons.append(copyButton("copy text", text));
  if (latex) buttons.append(copyButton("copy LaTeX", latex), downloadButton("download .tex", latex, filename));
  block.append(code, buttons);
  element.append(block);
}

function errorBlock(element, data) {
  const pre = document.createElement("pre");
  pre.className = "error";
  pre.textContent = data.error;
  element.replaceChildren(pre);
}

// ---- the panels ---------------------------------------------------------------------------------

function showAnswer(data, element, s) {
  const kind = KINDS[s.kind];
  const option = $("wrt").selectedOptions[0];
  const math = document.createElement("div");
  math.className = "math";
  element.replaceChildren(math);
  typeset(math, kind.tex(option ? option.dataset.latex : s.wrt, s) + data.latex);
  textBlock(element, data[kind.field], data.latex, kind.file);
  if (data.shapes) {
    const p = document.createElement("p");
    p.className = "shapes";
    p.textContent = `shapes: ${data.shapes}`;
    element.append(p);
  }
}

function showDerivation(data, element) {
  const math = document.createElement("div");
  math.className = "math derivation";
  element.replaceChildren(math);
  typeset(math, data.latex);
  textBlock(element, data.text, data.latex, "derivation.tex");
}

function showCheck(data, element) {
  const box = document.createElement("div");
  box.className = "report";
  box.innerHTML = data.html;  // matcalc's own HTML: every value in it is escaped
  element.replaceChildren(box);
}

function panelElements(panel) {
  let details = $(`panel-${panel.id}`);
  if (!details) {
    details = document.createElement("details");
    details.id = `panel-${panel.id}`;
    details.className = "panel";
    details.open = panel.open;
    const summary = document.createElement("summary");
    summary.textContent = panel.title;
    const body = document.createElement("div");
    body.className = "panel-body";
    details.append(summary, body);
    $("panels").append(details);
  }
  return details.querySelector(".panel-body");
}

// ---- parse, compute, permalink -----------------------------------------------------------------

function showError(data) {
  const box = $("error");
  if (!data) {
    box.hidden = true;
    box.textContent = "";
    $("expr").removeAttribute("aria-invalid");
    return;
  }
  const where = data.field && data.field !== "expr" ? `in ${data.field}: ` : "";
  box.textContent = `${data.kind}: ${where}${data.error}`;
  box.hidden = false;
  box.dataset.kind = data.kind;
  box.dataset.column = data.column ?? "";
  if (!data.field || data.field === "expr") $("expr").setAttribute("aria-invalid", "true");
}

function fillVariables(symbols) {
  const select = $("wrt");
  const wanted = pendingWrt ?? select.value;
  select.replaceChildren(...symbols.map((sym) => {
    const option = new Option(sym.text, sym.name);
    option.dataset.latex = sym.latex;
    return option;
  }));
  const names = symbols.map((sym) => sym.name);
  const match = symbols.find((sym) => sym.name === wanted || sym.text === wanted);
  select.value = match ? match.name : names[0] ?? "";
  pendingWrt = null;
  nameStructure();
}

function nameStructure() {  // "structure of X": the variable the structure applies to
  const option = $("wrt").selectedOptions[0];
  $("structure-of").textContent = option ? option.textContent : "X";
}

function chooseStructure(value) {  // a permalink's structure; one the page does not list is sent as it is, for the server to say why not
  const select = $("structure");
  if (![...select.options].some((o) => o.value === value)) select.append(new Option(value, value));
  select.value = value;
}

async function parse() {
  const s = state();
  const mine = ++generation;
  if (!s.expr.trim()) {
    showError(null);
    $("preview").replaceChildren();
    return;
  }
  const variable = { wrt: pendingWrt ?? s.wrt, structure: s.structure };  // a square structure reads X square
  const { ok, data } = await post("parse", { expr: s.expr, kind: s.kind, ...declarations(s), ...variable });
  if (mine !== generation) return;
  if (!ok) {
    showError(data);
    for (const body of document.querySelectorAll(".panel-body")) body.classList.add("stale");  // of an older text
    document.body.dataset.state = "error";
    return;
  }
  showError(null);
  typeset($("preview"), data.latex);
  fillVariables(data.symbols);
  if (!s.declaredShapes) $("shapes").value = data.shapes;
  await compute();
}

async function compute() {
  const s = state();
  const mine = ++generation;
  if (!s.expr.trim() || !s.wrt) return;
  updateLink(s);
  document.body.dataset.state = "computing";
  const base = { expr: s.expr, wrt: s.wrt, ...declarations(s), structure: s.structure };
  const jobs = PANELS.map(async (panel) => {
    const element = panelElements(panel);
    const request = panel.request(s);
    if (!request) {
      element.classList.remove("stale");
      element.textContent = panel.none;
      return;
    }
    element.classList.remove("stale");
    element.classList.add("busy");
    const { ok, data } = await post(request[0], { ...base, ...request[1] });
    if (mine !== generation) return;
    element.classList.remove("busy");
    if (ok) panel.show(data, element, s);
    else errorBlock(element, data);
  });
  await Promise.all(jobs);
  if (mine === generation) {
    await mathjaxChain;
    document.body.dataset.state = "done";
  }
}

function updateLink(s) {
  const params = new URLSearchParams();
  params.set("expr", s.expr);
  params.set("wrt", s.wrt);
  params.set("kind", s.kind);
  if (s.declaredShapes && s.shapes) params.set("shapes", s.shapes);
  for (const f of ["domains", "functions", "structure"]) if (s[f]) params.set(f, s[f]);
  if (s.kind === "jacobian" && s.layout !== "numerator") params.set("layout", s.layout);
  if (s.kind === "vjp" && s.upstream !== "G") params.set("upstream", s.upstream);
  const url = `/?${params}`;
  $("permalink").href = url;
  history.replaceState(null, "", url);
}

function showKindOptions() {
  for (const label of document.querySelectorAll("[data-for-kind]")) {
    label.hidden = label.dataset.forKind !== $("kind").value;
  }
}

function scheduleParse() {
  clearTimeout(parseTimer);
  parseTimer = setTimeout(parse, DEBOUNCE_MS);
}

function insertAtCursor(text, close) {
  const box = $("expr");
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  const inner = box.value.slice(start, end);
  box.value = box.value.slice(0, start) + text + inner + (close || "") + box.value.slice(end);
  const caret = start + text.length + inner.length;
  box.focus();
  box.setSelectionRange(caret, caret);
  scheduleParse();
}

function start() {
  const params = new URLSearchParams(location.search);
  for (const f of FIELDS) if (params.has(f) && f !== "wrt" && f !== "structure") $(f).value = params.get(f);
  if (params.get("structure")) chooseStructure(params.get("structure"));
  if (params.has("shapes")) $("shapes").dataset.declared = "yes";
  pendingWrt = params.get("wrt");
  showKindOptions();
  for (const panel of PANELS) panelElements(panel);

  $("expr").addEventListener("input", scheduleParse);
  $("shapes").addEventListener("input", () => { $("shapes").dataset.declared = "yes"; scheduleParse(); });
  for (const f of ["domains", "functions", "upstream"]) $(f).addEventListener("input", scheduleParse);
  $("kind").addEventListener("change", () => { showKindOptions(); parse(); });
  $("layout").addEventListener("change", compute);
  $("structure").addEventListener("change", parse);  // the shapes inferred may change: X square
  $("wrt").addEventListener("change", () => { nameStructure(); if ($("structure").value) parse(); else compute(); });
  $("infer").addEventListener("click", () => { delete $("shapes").dataset.declared; parse(); });
  for (const b of document.querySelectorAll("#symbols button")) {
    b.addEventListener("click", () => insertAtCursor(b.dataset.insert, b.dataset.close));
  }
  if ($("expr").value.trim()) parse();
  else document.body.dataset.state = "ready";
}

start();
