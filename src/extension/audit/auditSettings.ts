// Turns the `labelAudit.*` settings into engine parameters. Free of `vscode` imports (unit-tested):
// the caller passes a getter over `workspace.getConfiguration('labelAudit')`.
import { isAbsolute } from 'node:path';
import { AuditError } from '../../core/errors';
import { resolveAuditOptions, type AuditOptionsInput } from '../../core/options';
import { BACKEND_NAMES, isBackendPreference } from '../../protocol/backends';
import type { EngineBackend } from '../../protocol/engine';

/** The configuration section of every setting below (`labelAudit.epochs`...). */
export const SETTINGS_SECTION = 'labelAudit';

/** Reads one setting of the `labelAudit` section; `undefined` when unset or unknown. */
export type SettingGetter = (key: string) => unknown;

/**
 * The audit option each numeric setting feeds, so the settings, their defaults in package.json and
 * `DEFAULT_AUDIT_OPTIONS` can be checked against each other (a unit test does).
 */
export const OPTION_SETTINGS = {
  epochs: (value: number): AuditOptionsInput => ({ epochs: value }),
  maxSampleSteps: (value: number): AuditOptionsInput => ({ maxSampleSteps: value }),
  alpha: (value: number): AuditOptionsInput => ({ alpha: value }),
  imageSize: (value: number): AuditOptionsInput => ({ imageSize: value }),
  seed: (value: number): AuditOptionsInput => ({ seed: value }),
  minMargin: (value: number): AuditOptionsInput => ({ flag: { minMargin: value } }),
} as const;

/** The engine parameters the settings ask for. */
export interface AuditSettings {
  readonly backend: EngineBackend;
  readonly options: AuditOptionsInput;
  /** `labelAudit.nativeTensorflowFolder`: an npm prefix holding tfjs-node(-gpu), for offline installs. */
  readonly nativeTensorflowFolder?: string;
}

/**
 * Reads the audit settings and checks them before anything starts, so a bad value is reported with
 * the setting's name rather than as an engine failure.
 *
 * @param get - Reads `labelAudit.<key>`.
 * @throws AuditError('badOption') naming the setting, e.g. "Setting labelAudit.epochs: Expected epochs
 *   to be a number from 0.1 to 10000, but got -1."
 */
export function readAuditSettings(get: SettingGetter): AuditSettings {
  const backendValue = get('backend') ?? 'auto';
  if (!isBackendPreference(backendValue)) {
    throw new AuditError(
      'badOption',
      `Setting ${SETTINGS_SECTION}.backend: expected one of ${BACKEND_NAMES.join(', ')}, but got ${JSON.stringify(backendValue)}.`,
    );
  }
  // One partial option set per setting the user gave, checked on its own so the error names it.
  const given: [string, AuditOptionsInput][] = [];
  const mode = get('mode');
  if (mode !== undefined && mode !== null) given.push(['mode', { mode: mode as AuditOptionsInput['mode'] }]);
  const method = get('method');
  if (method !== undefined && method !== null)
    given.push(['method', { method: method as AuditOptionsInput['method'] }]);
  const health = get('healthChecks');
  if (health !== undefined && health !== null)
    given.push(['healthChecks', { health: health as AuditOptionsInput['health'] }]);
  for (const [key, apply] of Object.entries(OPTION_SETTINGS)) {
    const value = get(key);
    if (value !== undefined && value !== null) given.push([key, apply(value as number)]);
  }
  let options: AuditOptionsInput = {};
  for (const [key, partial] of given) {
    try {
      resolveAuditOptions(partial);
    } catch (error) {
      if (AuditError.is(error, 'badOption'))
        throw new AuditError('badOption', `Setting ${SETTINGS_SECTION}.${key}: ${error.message}`);
      throw error;
    }
    options = { ...options, ...partial, flag: { ...options.flag, ...partial.flag } };
  }
  const folder = get('nativeTensorflowFolder');
  if (folder !== undefined && folder !== null && folder !== '') {
    if (typeof folder !== 'string' || !isAbsolute(folder))
      throw new AuditError(
        'badOption',
        `Setting ${SETTINGS_SECTION}.nativeTensorflowFolder: expected an absolute folder path, but got ${JSON.stringify(folder)}.`,
      );
    return { backend: backendValue, options, nativeTensorflowFolder: folder };
  }
  return { backend: backendValue, options };
}
