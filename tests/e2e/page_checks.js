// Put into every document of a checked page by tests/e2e/conftest.py, after axe-core.
// Reports to Python through the binding: CSP violations as they happen; in the top
// frame, "start" when the document begins and "done" with axe's violations once it
// is parsed and styled (before a test can click anything in it).
(() => {
  const report = window.__BINDING__;
  addEventListener("securitypolicyviolation", (e) => report({
    kind: "csp", url: location.href, directive: e.effectiveDirective, blocked: e.blockedURI,
    source: e.sourceFile ? `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` : "", sample: e.sample,
  }), true);
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const axe = window.axe;
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  // True once Python has the result (the binding's promise settles after its handler):
  // the check after a test waits for it with a timeout the driver keeps.
  window.__e2eChecked = false;
  const send = (result) => report(result).then(() => { window.__e2eChecked = true; return result; });
  report({ kind: "start", id, url: location.href });
  const parsed = new Promise((resolve) => document.readyState === "loading"
    ? document.addEventListener("DOMContentLoaded", resolve, { once: true }) : resolve());
  const styled = () => Promise.all([...document.querySelectorAll('link[rel~="stylesheet"]')].map((link) =>
    link.sheet ? null : new Promise((resolve) => {
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
    })));
  // Only a run that can never end meets this limit; it says where the document stood.
  let stage = "waiting for the document to be parsed";
  const timeout = new Promise((_, reject) => setTimeout(
    () => reject(new Error(`no axe result after 60 s, still ${stage}`)), 60000));
  const slim = (v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })) });
  if (!/^(text\/html|application\/xhtml\+xml)$/.test(document.contentType)) {
    // A JSON, CSV or plain-text response, shown in the browser's own viewer: not our markup.
    const result = { kind: "done", id, url: location.href, violations: [], skipped: document.contentType };
    window.__e2eAxe = send(result);
    return;
  }
  window.__e2eAxe = Promise.race([
    parsed.then(() => { stage = "waiting for its stylesheets"; return styled(); })
      .then(() => { stage = "waiting for its fonts"; return document.fonts.ready; })
      .then(() => { stage = "running axe"; return axe.run(document, { resultTypes: ["violations"] }); }),
    timeout,
  ]).then(
    (results) => ({ kind: "done", id, url: location.href, violations: results.violations.map(slim) }),
    (error) => ({ kind: "done", id, url: location.href, violations: [], error: String(error) }),
  ).then(send);
})();
