/**
 * Entry of the review webview (bundled to dist/webview.js): loads the few vscode-elements components
 * the page uses, restores the view state, validates every message from the host, and tells the host
 * it is ready, which is when the host sends the suspects.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './styles/index.css';
import { parseHostMessage } from '../src/protocol/webview';
import { writeLayoutVariables } from './layout';
import { ReviewApp } from './reviewApp';
import type { PersistedState } from './state/viewState';

// Before the first card is drawn: the styles size cards and rows from these variables.
writeLayoutVariables();
const vscode = acquireVsCodeApi<PersistedState>();
const root = document.getElementById('app') ?? document.body;
const app = new ReviewApp(
  root,
  { post: (message) => vscode.postMessage(message), saveState: (state) => vscode.setState(state) },
  vscode.getState(),
);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    // Never act on half a message; the devtools console is where a developer will look.
    console.error(`label-audit review: ignored a malformed message from the host: ${parsed.problem}`);
    return;
  }
  app.handle(parsed.message);
});

vscode.postMessage({ type: 'webview/ready' });
