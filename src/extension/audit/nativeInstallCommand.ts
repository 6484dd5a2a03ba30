// "Label Audit: Install Native TensorFlow": CUDA or CPU in a quick pick, then npm installs the
// package into the extension's global storage under a progress notification, its log in the output
// channel. The npm work itself is in nativeInstall.ts (vscode-free, unit-tested).
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AuditLog } from '../log';
import { installNativeTensorflow, NATIVE_PACKAGES, type NativeVariant } from './nativeInstall';

/** The npm prefix the command installs into; the audit passes it to the engine to search. */
export function nativeInstallFolder(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, 'native-tensorflow');
}

const CHOICES: (vscode.QuickPickItem & { variant: NativeVariant })[] = [
  {
    variant: 'cuda',
    label: 'CUDA (NVIDIA GPU)',
    description: `${NATIVE_PACKAGES.cuda.name}@${NATIVE_PACKAGES.cuda.version}`,
    detail: 'Linux x64 with an NVIDIA GPU and the CUDA and cuDNN versions TensorFlow needs. Backend "tensorflow-gpu".',
  },
  {
    variant: 'cpu',
    label: 'CPU',
    description: `${NATIVE_PACKAGES.cpu.name}@${NATIVE_PACKAGES.cpu.version}`,
    detail: 'Native TensorFlow on the processor, any machine TensorFlow supports. Backend "tensorflow".',
  },
];

export async function installNativeTensorflowCommand(context: vscode.ExtensionContext, log: AuditLog): Promise<void> {
  const choice = await vscode.window.showQuickPick(CHOICES, {
    title: 'Label Audit: Install Native TensorFlow',
    placeHolder: 'Which build? It downloads libtensorflow (hundreds of MB) with npm.',
  });
  if (!choice) return;
  const { name } = NATIVE_PACKAGES[choice.variant];
  const prefix = nativeInstallFolder(context);
  log.line(`installing ${name} into ${prefix}`);
  log.show();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Label Audit: installing ${name}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        return installNativeTensorflow({
          variant: choice.variant,
          prefix,
          signal: controller.signal,
          log: (line) => {
            log.line(`npm: ${line}`);
            progress.report({ message: line.slice(0, 80) });
          },
        }).finally(() => subscription.dispose());
      },
    );
    const backend = choice.variant === 'cuda' ? 'tensorflow-gpu' : 'tensorflow';
    void vscode.window.showInformationMessage(
      `Label Audit: ${name} is installed. "auto" now uses it, or set labelAudit.backend to "${backend}".`,
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') {
      log.line(`installing ${name}: cancelled`);
      return;
    }
    log.showError(error, 'Label Audit: Install Native TensorFlow failed');
  }
}
