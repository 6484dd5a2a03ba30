// Plays the extension host's side of the review protocol inside the test page, before the webview
// bundle runs (loaded with page.addInitScript). It stands in for `acquireVsCodeApi()`: records what
// the webview posts, keeps its state as VS Code would across a reload, answers `webview/ready` with
// the content the test gave it, acknowledges decisions the way src/extension/review/reviewPanel.ts does, and
// passes thumbnail requests to Node.
// Plain JavaScript on purpose: it is injected as source text into the page.
(() => {
  let state = window.__initialState;
  let decisions = {};
  let classActions = [];
  let pending = null;
  let ready = false;
  const host = {
    posted: [],
    cspViolations: [],
    consoleErrors: [],
    /** Decisions as the host holds them (what would be on disk). */
    decisions: () => decisions,
    /** Class merges and renames as the host holds them. */
    classActions: () => classActions,
    /** The webview's saved view state. */
    state: () => state,
    /** Posts a message to the webview as the host would. */
    send(message) {
      window.postMessage(message, '*');
    },
    /** Gives the content to show; sent now if the webview is ready, else on `webview/ready`. */
    load(datasetRoot, content, initialDecisions, initialClassActions = []) {
      decisions = { ...initialDecisions };
      classActions = [...initialClassActions];
      const parts = datasetRoot.split('/');
      pending = {
        type: 'suspects/didChange',
        datasetRoot,
        datasetName: parts[parts.length - 1],
        content,
        decisions,
        classActions,
      };
      if (ready) host.send(pending);
    },
    /** Messages of one type the webview posted so far. */
    ofType(type) {
      return host.posted.filter((m) => m.type === type);
    },
  };
  function apply(changes) {
    decisions = { ...decisions };
    for (const change of changes) {
      if (change.decision === null) delete decisions[change.path];
      else decisions[change.path] = change.decision;
    }
  }
  function receive(message) {
    host.posted.push(message);
    if (message.type === 'webview/ready') {
      ready = true;
      if (pending) host.send({ ...pending, decisions, classActions });
    } else if (message.type === 'review/decide') {
      apply([{ path: message.path, decision: message.decision }]);
    } else if (message.type === 'review/decideMany') {
      apply(message.changes);
    } else if (message.type === 'review/setClassActions') {
      classActions = message.classActions;
    } else if (message.type === 'thumbnails/request' && window.__requestThumbnails) {
      // Answered from Node by the extension's own thumbnail code (reviewPage.ts exposes it).
      void window.__requestThumbnails(message.paths);
    }
    if (
      message.type === 'review/decide' ||
      message.type === 'review/decideMany' ||
      message.type === 'review/setClassActions'
    ) {
      // Answer later, as the real host does after its write, so the optimistic path is exercised.
      const ack = message.seq;
      setTimeout(() => host.send({ type: 'decisions/didChange', decisions, classActions, ack }), 5);
    }
  }
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => receive(JSON.parse(JSON.stringify(message))),
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
