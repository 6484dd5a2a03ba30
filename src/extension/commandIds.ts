// Command ids, exactly as package.json contributes them. Free of `vscode` imports so a unit test
// can check them against package.json (commands, activation events, menus).

/** The Label Audit commands. */
export const COMMANDS = {
  runAudit: 'labelAudit.runAudit',
  reviewSuspects: 'labelAudit.reviewSuspects',
  exportCleanedLabels: 'labelAudit.exportCleanedLabels',
  installNativeTensorflow: 'labelAudit.installNativeTensorflow',
} as const;
