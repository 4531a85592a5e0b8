// MathJax's configuration, read by static/mathjax/tex-svg-full.js when it loads: the page
// typesets on demand (app.js), each equation an SVG with its own glyphs, no menu, nothing
// loaded from elsewhere.
window.MathJax = {
  startup: { typeset: false },
  svg: { fontCache: "local" },
  options: { enableMenu: false, enableAssistiveMml: false, enableExplorer: false, enableEnrichment: false },
};
