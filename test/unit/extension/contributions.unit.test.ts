import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/repo';
import { test } from 'node:test';
import { AuditError } from '../../../src/core/errors';
import { AUDIT_METHODS, DEFAULT_AUDIT_OPTIONS, resolveAuditOptions } from '../../../src/core/options';
import { OPTION_SETTINGS, readAuditSettings, SETTINGS_SECTION } from '../../../src/extension/audit/auditSettings';
import { DEFAULT_MAX_SUSPECTS_SHOWN } from '../../../src/extension/review/reviewContent';
import { COMMANDS } from '../../../src/extension/commandIds';
import { BACKENDS } from '../../../src/protocol/backends';

// package.json is the extension's public face: its commands, settings and activation must agree
// with the code that implements them.
interface SettingSchema {
  type: string;
  default: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
  description?: string;
  markdownDescription?: string;
}
interface Manifest {
  main: string;
  engines: { vscode: string };
  extensionKind: string[];
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean; description: string } };
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, SettingSchema> };
  };
}
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Manifest;
const settings = manifest.contributes.configuration.properties;
const setting = (key: string) => settings[`${SETTINGS_SECTION}.${key}`];

test('the commands are contributed under "Label Audit", activate the extension, and nothing else does', () => {
  const ids = Object.values(COMMANDS);
  assert.deepEqual(
    manifest.contributes.commands.map((c) => c.command),
    ids,
  );
  for (const command of manifest.contributes.commands) assert.equal(command.category, 'Label Audit');
  // VS Code (since 1.74, and engines.vscode asks for more) activates on a contributed command by
  // itself, so the manifest lists only what the commands do not imply: restoring the review panel,
  assert.ok(manifest.engines.vscode.replace(/^\D+/, '').split('.').map(Number)[1] >= 74);
  // The findings in label files need the extension running once a report exists, before any command.
  assert.deepEqual(manifest.activationEvents, [
    'onWebviewPanel:labelAudit.review',
    'workspaceContains:**/.label-audit/report.json',
  ]);
  assert.deepEqual(
    manifest.contributes.menus['explorer/context'].map((m) => m.command),
    [COMMANDS.runAudit],
  );
  assert.equal(manifest.main, './dist/extension.js');
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, false);
  assert.ok(manifest.capabilities.untrustedWorkspaces.description.length > 20);
  assert.equal(manifest.engines.vscode, '^1.90.0');
});

test('the Explorer menu offers Run Audit on folders and on .csv/.json files of any case, not on images', () => {
  const when = manifest.contributes.menus['explorer/context'][0].when!;
  const [, pattern, flags] = /resourceExtname =~ \/(.+)\/(\w*)$/.exec(when)!;
  const regex = new RegExp(pattern.replace(/\\\\/g, '\\'), flags);
  for (const ext of ['.csv', '.json', '.CSV', '.Json']) assert.ok(regex.test(ext), ext);
  for (const ext of ['.png', '.csvx', '.jsonl', '']) assert.ok(!regex.test(ext), ext);
  assert.match(when, /^explorerResourceIsFolder \|\|/);
});

test('every setting has a description, and the defaults in package.json are the engine defaults', () => {
  for (const [key, schema] of Object.entries(settings))
    assert.ok((schema.markdownDescription ?? schema.description ?? '').length > 30, `${key} is described`);
  for (const [key, apply] of Object.entries(OPTION_SETTINGS)) {
    const schema = setting(key);
    assert.ok(schema, `${SETTINGS_SECTION}.${key} is contributed`);
    assert.deepEqual(resolveAuditOptions(apply(schema.default as number)), DEFAULT_AUDIT_OPTIONS, `default of ${key}`);
  }
  assert.equal(setting('mode').default, DEFAULT_AUDIT_OPTIONS.mode);
  assert.deepEqual(setting('mode').enum, ['quick', 'deep']);
  assert.equal(setting('method').default, DEFAULT_AUDIT_OPTIONS.method);
  assert.deepEqual(setting('method').enum, AUDIT_METHODS);
  assert.equal(setting('method').enumDescriptions?.length, AUDIT_METHODS.length);
  // The setting is generated from the one backend list: same names, same order, same descriptions.
  assert.deepEqual(
    setting('backend').enum,
    BACKENDS.map((b) => b.name),
  );
  assert.deepEqual(
    setting('backend').enumDescriptions,
    BACKENDS.map((b) => b.description),
  );
  assert.equal(setting('backend').default, 'auto');
  assert.equal(setting('maxSuspectsShown').default, DEFAULT_MAX_SUSPECTS_SHOWN);
  assert.equal(setting('healthChecks').default, DEFAULT_AUDIT_OPTIONS.health);
});

test('the bounds in package.json are the ones the engine accepts', () => {
  for (const key of Object.keys(OPTION_SETTINGS) as (keyof typeof OPTION_SETTINGS)[]) {
    const { minimum, maximum, type } = setting(key);
    assert.ok(minimum !== undefined && maximum !== undefined, `${key} has bounds`);
    resolveAuditOptions(OPTION_SETTINGS[key](minimum));
    resolveAuditOptions(OPTION_SETTINGS[key](maximum));
    const step = type === 'integer' ? 1 : 1e-9;
    assert.throws(
      () => resolveAuditOptions(OPTION_SETTINGS[key](minimum - step)),
      AuditError,
      `${key} below its minimum`,
    );
    assert.throws(
      () => resolveAuditOptions(OPTION_SETTINGS[key](maximum + step)),
      AuditError,
      `${key} above its maximum`,
    );
  }
});

test('readAuditSettings passes on the settings given and names a bad one', () => {
  const values: Record<string, unknown> = {
    backend: 'wasm',
    mode: 'deep',
    method: 'fused',
    epochs: 3,
    alpha: 4,
    imageSize: 28,
    minMargin: 0.2,
    seed: 7,
  };
  assert.deepEqual(
    readAuditSettings((key) => values[key]),
    {
      backend: 'wasm',
      options: { mode: 'deep', method: 'fused', epochs: 3, alpha: 4, imageSize: 28, seed: 7, flag: { minMargin: 0.2 } },
    },
  );
  assert.deepEqual(
    readAuditSettings(() => undefined),
    { backend: 'auto', options: {} },
  );
  assert.throws(
    () => readAuditSettings((key) => ({ epochs: -1 })[key]),
    (e: unknown) =>
      AuditError.is(e, 'badOption') &&
      /^Setting labelAudit\.epochs: Expected epochs to be a number from 0\.1/.test(e.message),
  );
  assert.throws(
    () => readAuditSettings((key) => ({ backend: 'gpu' })[key]),
    /Setting labelAudit\.backend: expected one of auto, tensorflow-gpu/,
  );
  assert.throws(() => readAuditSettings((key) => ({ mode: 'thorough' })[key]), /Setting labelAudit\.mode/);
  assert.equal(readAuditSettings((key) => ({ healthChecks: false })[key]).options.health, false);
  assert.throws(
    () => readAuditSettings((key) => ({ healthChecks: 'no' })[key]),
    /Setting labelAudit\.healthChecks: Expected health to be true or false/,
  );
  assert.throws(
    () => readAuditSettings((key) => ({ method: 'cleanlab' })[key]),
    /Setting labelAudit\.method: Expected method to be 'mixup', 'confident-learning', 'fused'/,
  );
});

test('labelAudit.nativeTensorflowFolder is passed on when absolute and refused, named, when not', () => {
  const folder = join(REPO, 'native');
  assert.deepEqual(
    readAuditSettings((key) => ({ nativeTensorflowFolder: folder })[key]),
    {
      backend: 'auto',
      options: {},
      nativeTensorflowFolder: folder,
    },
  );
  assert.deepEqual(
    readAuditSettings((key) => ({ nativeTensorflowFolder: '' })[key]),
    { backend: 'auto', options: {} },
  );
  assert.throws(
    () => readAuditSettings((key) => ({ nativeTensorflowFolder: 'relative/folder' })[key]),
    /^AuditError: Setting labelAudit\.nativeTensorflowFolder: expected an absolute folder path, but got "relative\/folder"\.$/,
  );
});
