// Put into every document of a checked page by tests/e2e/conftest.py, after axe-core.
// Reports to Python through the binding: CSP violations as they happen; in the top
// frame, "start" when the document begins and "done" with axe's violations once it
// is parsed and styled (before a test can click anything in it).
//
// A navigation the page starts itself (a click on a link, a form post; not Playwright's goto)
// makes Chromium stop parsing the document being left at once, even while conftest.py holds
// that navigation: the deferred scripts still loading are cancelled and never run,
// DOMContentLoaded never fires, and readyState goes straight to "complete". A test that clicks
// a link as soon as it shows, before the page's deferred scripts have arrived, does exactly that.
// So "parsed" is DOMContentLoaded, or "complete" without it: nothing more will be parsed or run.
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
  // Resolves to "whole" when all the HTML was parsed (whether or not the deferred scripts ran),
  // or to "cut off" when parsing was stopped before the end (readyState still "loading").
  const parsed = new Promise((resolve) => {
    if (document.readyState !== "loading") return resolve("whole");
    let before = document.readyState;
    document.addEventListener("DOMContentLoaded", () => resolve("whole"), { once: true });
    document.addEventListener("readystatechange", () => {
      if (document.readyState === "complete") resolve(before === "interactive" ? "whole" : "cut off");
      before = document.readyState;
    });
  });
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
  const check = async () => {
    if ((await parsed) === "cut off") {
      // Only part of the markup: axe would judge a fragment. Python lists it as not checked.
      return { kind: "done", id, url: location.href, violations: [], cutOff: true };
    }
    stage = "waiting for its stylesheets";
    await styled();
    stage = "waiting for its fonts";
    await document.fonts.ready;
    stage = "running axe";
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return { kind: "done", id, url: location.href, violations: results.violations.map(slim) };
  };
  window.__e2eAxe = Promise.race([check(), timeout])
    .catch((error) => ({ kind: "done", id, url: location.href, violations: [], error: String(error) }))
    .then(send);
})();
