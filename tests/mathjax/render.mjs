// Render TeX with MathJax 3 (mathjax-full, the renderer JupyterLab uses), as display math.
//
// Input, on stdin: one TeX string a line, JSON-encoded ("\\frac{a}{b}").
// Output, on stdout: one line per input, in order: `ok`, or `error ` followed by the
// JSON-encoded MathJax error message.  A string is in error when the TeX input jax throws
// (syntax errors, undefined control sequences: formatError is set to rethrow) or when the
// rendered output still holds an error node (merror, data-mjx-error).
//
// Every string is rendered under two configurations and must pass both:
//   core    base + ams + newcommand + configmacros: the packages every MathJax 3 set-up loads;
//   jupyter the packages JupyterLab's MathJax loads (AllPackages), less noerrors and
//           noundefined, which only hide errors from the reader.
// The process reads lines until stdin closes, so one process renders any number of strings.

import readline from 'node:readline';

import { mathjax } from 'mathjax-full/js/mathjax.js';
import { TeX } from 'mathjax-full/js/input/tex.js';
import { CHTML } from 'mathjax-full/js/output/chtml.js';
import { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import { AllPackages } from 'mathjax-full/js/input/tex/AllPackages.js';

const HIDES_ERRORS = new Set(['noerrors', 'noundefined']);
const CONFIGURATIONS = {
  core: ['base', 'ams', 'newcommand', 'configmacros'],
  jupyter: AllPackages.filter((name) => !HIDES_ERRORS.has(name)),
};

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);

function rethrow(jax, err) {
  throw err;
}

const documents = Object.entries(CONFIGURATIONS).map(([name, packages]) => [
  name,
  mathjax.document('', {
    InputJax: new TeX({ packages, formatError: rethrow }),
    OutputJax: new CHTML({ fontURL: '.' }),
  }),
]);

function errorOf(tex) {
  for (const [name, doc] of documents) {
    let html;
    try {
      html = adaptor.outerHTML(doc.convert(tex, { display: true }));
    } catch (err) {
      return `${name}: ${err && err.message ? err.message : String(err)}`;
    }
    const marker = /<mjx-merror|data-mjx-error="([^"]*)"/.exec(html);
    if (marker) {
      return `${name}: ${marker[1] || 'the output holds an merror node'}`;
    }
  }
  return null;
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of input) {
  if (!line.trim()) continue;
  let error;
  try {
    const tex = JSON.parse(line);
    error = typeof tex === 'string' ? errorOf(tex) : 'input: each line must be a JSON string';
  } catch (err) {
    error = `input: not a JSON line: ${err.message}`;
  }
  process.stdout.write(error === null ? 'ok\n' : `error ${JSON.stringify(error)}\n`);
}
