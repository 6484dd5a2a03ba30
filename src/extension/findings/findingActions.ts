import * as vscode from 'vscode';
import { currentReviewer } from '../../core/review/reviewLog';
import type { Decision } from '../../core/shared/types';
import { COMMANDS } from '../commandIds';
import { recordDecisions } from '../review/recordDecisions';
import { changeProblem } from '../review/reviewContent';
import type { Finding } from './findings';
import type { AuditedDataset, FindingsService } from './findingsService';
import { DIAGNOSTIC_SOURCE, type ManifestDiagnostics } from './manifestDiagnostics';

/** The internal command the quick fixes run: records decisions for samples of one dataset. */
export const DECIDE_COMMAND = 'labelAudit.decideFromEditor';
/** The internal command of the "fix all" source action. */
export const ACCEPT_ALL_COMMAND = 'labelAudit.acceptSuggestionsInFile';

/** What a quick fix asks for. */
export interface DecideArguments {
  readonly root: string;
  readonly changes: readonly { readonly path: string; readonly decision: Decision }[];
}

/** The kind of the "accept every suggestion" source action (runs from the Source Action menu). */
export const ACCEPT_ALL_KIND = vscode.CodeActionKind.Source.append('labelAudit.acceptSuggestions');

/**
 * Quick fixes on the findings in a label file: relabel to the suggestion, keep the given label,
 * remove the sample from the cleaned labels, or open the review panel; plus a source action that
 * accepts every suggestion in the selection (or the file). Each records a decision exactly as the
 * review panel does (decisions file, review log); the label file itself is never edited.
 */
export class FindingActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, ACCEPT_ALL_KIND],
  };

  constructor(
    private readonly findings: FindingsService,
    private readonly diagnostics: ManifestDiagnostics,
  ) {}

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const dataset = this.findings.byManifest(document.uri.fsPath);
    if (!dataset) return [];
    const actions: vscode.CodeAction[] = [];
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    for (const diagnostic of ours) {
      const finding = this.findingAt(document, dataset, diagnostic.range);
      if (finding) actions.push(...quickFixes(dataset, finding, diagnostic));
    }
    if (!context.only || context.only.contains(ACCEPT_ALL_KIND) || ACCEPT_ALL_KIND.contains(context.only)) {
      const selected = range.isEmpty ? undefined : range;
      const suspects = this.suspectsIn(document, dataset, selected);
      if (suspects.length > 0) {
        const where = selected ? 'the selection' : 'this file';
        const action = new vscode.CodeAction(
          `Label Audit: accept the suggested label of ${suspects.length} ${suspects.length === 1 ? 'suspect' : 'suspects'} in ${where}`,
          ACCEPT_ALL_KIND,
        );
        action.command = {
          command: ACCEPT_ALL_COMMAND,
          title: action.title,
          arguments: [{ root: dataset.root, changes: suspects.map(acceptChange) } satisfies DecideArguments],
        };
        actions.push(action);
      }
    }
    return actions;
  }

  /** The flagged suspects (not the held-back or duplicate hints) whose rows lie in `range` (or anywhere). */
  suspectsIn(document: vscode.TextDocument, dataset: AuditedDataset, range?: vscode.Range): Finding[] {
    const { rows, paths } = this.diagnostics.rowsOf(document, dataset);
    const found: Finding[] = [];
    rows.forEach((row, i) => {
      const path = paths[i];
      const finding = path === undefined ? undefined : dataset.byPath.get(path);
      if (finding?.kind !== 'suspect') return;
      if (
        range &&
        !range.intersection(new vscode.Range(document.positionAt(row.path.start), document.positionAt(row.label.end)))
      )
        return;
      found.push(finding);
    });
    return found;
  }

  private findingAt(document: vscode.TextDocument, dataset: AuditedDataset, range: vscode.Range): Finding | undefined {
    const { rows, paths } = this.diagnostics.rowsOf(document, dataset);
    const offset = document.offsetAt(range.start);
    const index = rows.findIndex((row) => offset >= row.label.start && offset <= row.label.end);
    const path = index < 0 ? undefined : paths[index];
    return path === undefined ? undefined : dataset.byPath.get(path);
  }
}

function acceptChange(finding: Finding): DecideArguments['changes'][number] {
  return { path: finding.path, decision: { action: 'relabel', label: finding.suggestedLabel } };
}

function quickFixes(dataset: AuditedDataset, finding: Finding, diagnostic: vscode.Diagnostic): vscode.CodeAction[] {
  const fix = (title: string, decision: Decision, preferred = false): vscode.CodeAction => {
    const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    action.diagnostics = [diagnostic];
    action.isPreferred = preferred;
    action.command = {
      command: DECIDE_COMMAND,
      title,
      arguments: [{ root: dataset.root, changes: [{ path: finding.path, decision }] } satisfies DecideArguments],
    };
    return action;
  };
  const open = new vscode.CodeAction('Open in the review panel', vscode.CodeActionKind.QuickFix);
  open.diagnostics = [diagnostic];
  open.command = {
    command: COMMANDS.reviewSuspects,
    title: open.title,
    arguments: [vscode.Uri.file(dataset.root), finding.path],
  };
  return [
    fix(
      `Relabel to '${finding.suggestedLabel}'`,
      { action: 'relabel', label: finding.suggestedLabel },
      finding.kind === 'suspect',
    ),
    fix(`Keep '${finding.givenLabel}'`, { action: 'keep' }),
    fix('Remove from the cleaned labels', { action: 'remove' }),
    open,
  ];
}

/**
 * Registers the two commands behind the code actions.
 * @param log - The output channel's line writer, for refusals and review-log failures.
 */
export function registerFindingCommands(findings: FindingsService, log: (line: string) => void): vscode.Disposable[] {
  const reviewer = currentReviewer();
  const decide = async (args: DecideArguments): Promise<void> => {
    const dataset = findings.all().find((d) => d.root === args.root);
    if (!dataset) {
      void vscode.window.showWarningMessage(`Label Audit: there is no audit report for ${args.root} any more.`);
      return;
    }
    const report = {
      samplePaths: new Set(dataset.samples.keys()),
      classes: dataset.report.dataset.classes,
    };
    const problem = args.changes
      .map((c) => changeProblem(c, report, dataset.store.classActions))
      .find((p) => p !== undefined);
    if (problem) {
      log(`Decision from the editor refused: ${problem}.`);
      void vscode.window.showErrorMessage(`Label Audit: decision not saved: ${problem}.`);
      return;
    }
    try {
      await recordDecisions(dataset.store, dataset.root, args.changes, {
        user: reviewer,
        undo: false,
        onLogError: (file, error) => log(`Could not append to the review log ${file}: ${String(error)}`),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`Could not save review decisions to ${dataset.store.file}: ${message}`);
      void vscode.window.showErrorMessage(`Label Audit: could not save the decision: ${message}`);
    }
  };
  return [
    vscode.commands.registerCommand(DECIDE_COMMAND, decide),
    vscode.commands.registerCommand(ACCEPT_ALL_COMMAND, async (args: DecideArguments) => {
      const count = args.changes.length;
      const answer = await vscode.window.showWarningMessage(
        `Relabel ${count} ${count === 1 ? 'sample' : 'samples'} to the label the audit suggests?`,
        {
          modal: true,
          detail: 'The decisions are recorded as in the review panel; the label file itself is not changed.',
        },
        'Relabel',
      );
      if (answer === 'Relabel') await decide(args);
    }),
  ];
}
