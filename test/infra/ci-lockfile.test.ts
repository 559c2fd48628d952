// CI fails when `npm install` rewrote the committed lockfile (.ci/run calls .ci/lockfile-unchanged
// right after installing), so a lockfile that a fresh clone would change cannot land unnoticed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const CHECK = join(ROOT, '.ci/lockfile-unchanged');

function repoWithLockfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadguard-lock-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  writeFileSync(join(dir, 'package-lock.json'), '{ "lockfileVersion": 3 }\n');
  git('add', 'package-lock.json');
  git('-c', 'user.name=ci', '-c', 'user.email=ci@localhost', 'commit', '-qm', 'lockfile');
  return dir;
}

describe('.ci lockfile check', () => {
  it('runs right after npm install in .ci/run', () => {
    const run = readFileSync(join(ROOT, '.ci/run'), 'utf8').split('\n');
    const install = run.findIndex((l) => l.startsWith('npm install'));
    expect(install).toBeGreaterThan(-1);
    expect(run[install + 1]).toBe('.ci/lockfile-unchanged');
  });

  it('passes when the lockfile is as committed', () => {
    expect(spawnSync(CHECK, { cwd: repoWithLockfile() }).status).toBe(0);
  });

  it('fails, saying what to do, when installing changed the lockfile', () => {
    const dir = repoWithLockfile();
    writeFileSync(join(dir, 'package-lock.json'), '{ "lockfileVersion": 3, "packages": {} }\n');
    const res = spawnSync(CHECK, { cwd: dir, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('package-lock.json changed during npm install');
  });
});
