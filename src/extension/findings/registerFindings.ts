import * as vscode from 'vscode';
import { ClassFolderBadges } from './classFolderBadges';
import { FindingActions, registerFindingCommands } from './findingActions';
import { FindingHover, MANIFEST_SELECTOR } from './findingHover';
import { FindingsService } from './findingsService';
import { FindingsStatus } from './findingsStatus';
import { ManifestDiagnostics } from './manifestDiagnostics';

/**
 * The findings where the labels live: Problems-panel diagnostics on label files (or image files),
 * hovers with the image, quick fixes that record decisions, Explorer badges and a status bar count.
 * @returns The registrations, to dispose on deactivation.
 */
export function registerFindings(log: (line: string) => void): vscode.Disposable[] {
  const findings = new FindingsService(log);
  const diagnostics = new ManifestDiagnostics(findings);
  const badges = new ClassFolderBadges(findings);
  void findings.start();
  return [
    findings,
    diagnostics,
    badges,
    new FindingsStatus(findings),
    vscode.window.registerFileDecorationProvider(badges),
    vscode.languages.registerHoverProvider(MANIFEST_SELECTOR, new FindingHover(findings, diagnostics)),
    vscode.languages.registerCodeActionsProvider(
      MANIFEST_SELECTOR,
      new FindingActions(findings, diagnostics),
      FindingActions.metadata,
    ),
    ...registerFindingCommands(findings, log),
  ];
}
