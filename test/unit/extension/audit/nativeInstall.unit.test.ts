// Native TensorFlow for a VSIX user: npm installs it into a folder, the engine loads it from there.
// Real npm, real packages: the offline case points npm at a registry on 127.0.0.1 that does not
// answer; the installed case fetches the real @tensorflow/tfjs-node from the npm registry with
// --ignore-scripts, so the package is real and its native binary (downloaded by that script) is not.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AuditError } from '../../../../src/core/errors';
import { chooseBackend } from '../../../../src/engine/backend';
import { resolveOptionalPackage } from '../../../../src/engine/optionalPackage';
import {
  findNpm,
  installNativeTensorflow,
  NATIVE_PACKAGES,
  NativeInstallError,
} from '../../../../src/extension/audit/nativeInstall';

const scratch = mkdtempSync(join(tmpdir(), 'native-tf-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

// Fail fast instead of npm's minute of retries, and keep npm's cache out of the user's.
const quickNpm = { npm_config_fetch_retries: '0', npm_config_cache: join(scratch, 'npm-cache') };

test('the native packages are pinned to the tfjs version label-audit is built with', () => {
  const { version } = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')) as {
    version: string;
  };
  assert.deepEqual(NATIVE_PACKAGES, {
    cuda: { name: '@tensorflow/tfjs-node-gpu', version },
    cpu: { name: '@tensorflow/tfjs-node', version },
  });
  assert.ok(findNpm(), 'npm is on PATH here');
});

test('offline, the install fails with a message saying so and what to do', async () => {
  const lines: string[] = [];
  await assert.rejects(
    installNativeTensorflow({
      variant: 'cpu',
      prefix: join(scratch, 'offline'),
      npmArgs: ['--registry', 'http://127.0.0.1:9/'],
      env: quickNpm,
      log: (line) => lines.push(line),
    }),
    (error: unknown) => {
      assert.ok(error instanceof NativeInstallError, String(error));
      assert.match(
        error.message,
        /^npm could not reach the package registry \(ECONNREFUSED\): this machine looks offline\./,
      );
      assert.ok(error.message.includes('npm install --prefix <folder> @tensorflow/tfjs-node@4.22.0'), error.message);
      assert.ok(error.message.includes('labelAudit.nativeTensorflowFolder'), error.message);
      return true;
    },
  );
  assert.match(lines[0], /npm(\.cmd)? install @tensorflow\/tfjs-node@4\.22\.0 --prefix /);
  assert.ok(
    lines.some((line) => line.includes('ECONNREFUSED')),
    'npm output reached the log',
  );
});

test('installed without its install script, tfjs-node is found in the prefix and its failure names the missing binary', async () => {
  const prefix = join(scratch, 'no-scripts');
  const lines: string[] = [];
  await assert.rejects(
    installNativeTensorflow({
      variant: 'cpu',
      prefix,
      npmArgs: ['--ignore-scripts'],
      env: quickNpm,
      log: (line) => lines.push(line),
    }),
    (error: unknown) => {
      assert.ok(error instanceof NativeInstallError, String(error));
      assert.match(
        error.message,
        /^@tensorflow\/tfjs-node installed in .+ but its native part is missing \(.*tfjs_binding\.node/,
      );
      assert.ok(error.message.includes(`npm rebuild @tensorflow/tfjs-node\` in ${prefix}`), error.message);
      return true;
    },
  );
  // The package itself is really there, and the engine resolves it from the prefix only.
  assert.ok(existsSync(join(prefix, 'node_modules/@tensorflow/tfjs-node/package.json')));
  const found = resolveOptionalPackage('@tensorflow/tfjs-node', [join(scratch, 'offline'), prefix]);
  assert.equal(found?.folder, prefix);
  assert.ok(found.entry.startsWith(join(prefix, 'node_modules', '@tensorflow', 'tfjs-node')), found.entry);
  assert.equal(resolveOptionalPackage('@tensorflow/tfjs-node', [join(scratch, 'offline')]), undefined);

  // Asked for explicitly, the engine names the folder and the missing native file.
  await assert.rejects(chooseBackend('tensorflow', { nativeFolders: [prefix] }), (error: unknown) => {
    assert.ok(AuditError.is(error, 'backendUnavailable'), String(error));
    assert.ok(
      error.message.includes(`@tensorflow/tfjs-node was found from ${prefix} but failed to load`),
      error.message,
    );
    assert.match(error.message, /tfjs_binding\.node/);
    return true;
  });
  // auto notes it and moves on.
  const auto = await chooseBackend('auto', { nativeFolders: [prefix] });
  assert.notEqual(auto.name, 'tensorflow');
  assert.match(
    auto.tried.find((t) => t.backend === 'tensorflow')?.error ?? '',
    /found from .* but failed to load .*tfjs_binding\.node/,
  );
});
