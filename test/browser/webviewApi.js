// Stands in for VS Code's `acquireVsCodeApi()` inside the test page, before the webview bundle runs
// (loaded with page.addInitScript). It plays no host: what the webview posts goes, serialised as VS
// Code does, to the real ReviewSession in Node (the `__toHost` binding reviewPage.ts exposes), and
// the session's posts come back through `__fromHost` as window messages. On the way it records what
// the tests look at: the messages each way, the decisions the host last reported (written to disk
// by then), the saved view state, CSP violations and console errors.
// Plain JavaScript on purpose: it is injected as source text into the page.
(() => {
  let state = window.__initialState;
  let decisions = {};
  let classActions = [];
  const host = {
    posted: [],
    received: [],
    /** performance.now() when the last message of each type was handed to the page. */
    deliveredAt: {},
    cspViolations: [],
    consoleErrors: [],
    /** Decisions as the host last reported them (what is on disk). */
    decisions: () => decisions,
    /** Class merges and renames as the host last reported them. */
    classActions: () => classActions,
    /** The webview's saved view state. */
    state: () => state,
    /** Posts a message to the webview that the test wrote itself (e.g. a malformed one). */
    send(message) {
      window.postMessage(message, '*');
    },
    /** Messages of one type the webview posted so far. */
    ofType(type) {
      return host.posted.filter((m) => m.type === type);
    },
  };
  /** A message from the real session, as a JSON string (one parse here, not the driver's serialiser). */
  window.__fromHost = (json) => {
    const message = JSON.parse(json);
    host.received.push(message.type);
    if (message.decisions) decisions = message.decisions;
    if (message.classActions) classActions = message.classActions;
    host.deliveredAt[message.type] = window.performance.now();
    window.postMessage(message, '*');
  };
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => {
      const copy = JSON.parse(JSON.stringify(message));
      host.posted.push(copy);
      void window.__toHost(copy);
    },
    getState: () => state,
    setState: (next) => {
      state = JSON.parse(JSON.stringify(next));
      return next;
    },
  });
  document.addEventListener('securitypolicyviolation', (event) => {
    host.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
  const error = console.error.bind(console);
  console.error = (...args) => {
    host.consoleErrors.push(args.map(String).join(' '));
    error(...args);
  };
  window.__host = host;
})();
