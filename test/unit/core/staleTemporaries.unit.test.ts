import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from '../../helpers/repo';

// Issue #11, item 8: `kill -9` during a report or cache write leaves `.report.json.<pid>-….tmp`;
// the next audit removes such leftovers of dead writers, and never a live writer's temporary.
let temp: string;
let folder: string;

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'label-audit-stale-'));
  folder = join(temp, 'dataset', '.label-audit');
  await mkdir(join(folder, 'cache'), { recursive: true });
});
after(() => rm(temp, { recursive: true, force: true }));

/** A child that rewrites `file` with the real atomic writer as fast as it can, until killed. */
function startWriter(file: string, megabytes: number): ChildProcess {
  const script = `
    const { writeFileAtomic } = require('./src/core/atomicWrite');
    const data = new Uint8Array(${megabytes} << 20).fill(7);
    (async () => { for (;;) await writeFileAtomic(${JSON.stringify(file)}, data); })();`;
  return spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, stdio: 'ignore' });
}

/** Kills a writer with SIGKILL while its temporary exists; retries until one is left behind. */
async function killMidWrite(file: string, megabytes: number): Promise<string> {
  const dir = join(file, '..');
  for (let attempt = 0; attempt < 20; attempt++) {
    const writer = startWriter(file, megabytes);
    const exited = new Promise((resolve) => writer.once('exit', resolve));
    try {
      for (let poll = 0; poll < 20_000; poll++) {
        const temps = (await readdir(dir)).filter((name) => name.endsWith('.tmp'));
        if (temps.length > 0) {
          writer.kill('SIGKILL');
          break;
        }
        await sleep(1);
      }
    } finally {
      writer.kill('SIGKILL');
      await exited;
    }
    const left = (await readdir(dir)).filter((name) => name.includes(`.${writer.pid}-`) && name.endsWith('.tmp'));
    if (left.length > 0) return left[0];
  }
  throw new Error(`no temporary left after 20 kills of a writer of ${file}`);
}

/** Runs the start-of-audit sweep in a new process, as the next audit would; returns the names it removed. */
function sweepInNewProcess(root: string): string[] {
  const script = `
    const { prepareAuditFolder } = require('./src/core/auditFolder');
    prepareAuditFolder(${JSON.stringify(root)}, { cache: true }).then((s) => console.log(JSON.stringify(s.removedTemporaries)));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as string[];
}

test('temporaries of writers killed with SIGKILL are removed at the next start; a live writer keeps its own', async () => {
  const root = join(temp, 'dataset');
  const reportTemp = await killMidWrite(join(folder, 'report.json'), 64);
  const cacheTemp = await killMidWrite(join(folder, 'cache', 'decoded-32px.bin'), 64);
  assert.match(reportTemp, /^\.report\.json\.\d+-[0-9a-f]+\.tmp$/);
  assert.match(cacheTemp, /^\.decoded-32px\.bin\.\d+-[0-9a-f]+\.tmp$/);

  // A live process's temporary (an audit writing right now) and an old-style name from before the
  // pid was part of it: the first stays, the second goes once it is over an hour old.
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const liveTemp = `.report.json.${live.pid}-0123456789ab.tmp`;
    await writeFile(join(folder, liveTemp), 'partial');
    const legacyFresh = '.decoded-32px.bin.0a1b2c3d4e5f.tmp';
    const legacyOld = '.report.json.a1b2c3d4e5f6.tmp';
    await writeFile(join(folder, 'cache', legacyFresh), 'partial');
    await writeFile(join(folder, legacyOld), 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(folder, legacyOld), twoHoursAgo, twoHoursAgo);
    await sleep(20); // the sweeping process must start after the files were written

    const removed = sweepInNewProcess(root);
    assert.deepEqual(removed.sort(), [cacheTemp, legacyOld, reportTemp].sort());
    assert.deepEqual(
      (await readdir(folder)).filter((n) => n.endsWith('.tmp')),
      [liveTemp],
    );
    assert.deepEqual(
      (await readdir(join(folder, 'cache'))).filter((n) => n.endsWith('.tmp')),
      [legacyFresh],
    );
  } finally {
    live.kill('SIGKILL');
  }
});
