/**
 * The `fastnn` command (the compiled dist/cli/main.js, as users run it): the
 * demo trains and reports, and user errors exit non-zero with one line on stderr.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const main = new URL('../dist/cli/main.js', import.meta.url).pathname;
const fastnn = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, FASTNN_QUIET: '1' } });

describe('fastnn CLI', () => {
  it('demo trains on built-in data and names the backend', () => {
    const run = fastnn('demo', '--epochs', '3');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/fastnn demo: backend (native|js)/);
    expect(run.stdout).toMatch(/epoch {3}3 {2}loss \d\.\d{4}/);
    expect(run.stdout).toMatch(/accuracy \d+\.\d%/);
  });

  it.each([
    [['nope'], 2, /^fastnn: unknown command 'nope'/],
    [['demo', '--epoch', '3'], 1, /^fastnn demo: Unknown option '--epoch'/],
    [['demo', '--epochs', 'many'], 1, /^fastnn demo: --epochs must be a positive integer, got many$/],
    [['demo', '--backend', 'gpu'], 1, /^fastnn demo: --backend must be js or native, got gpu$/],
  ])('%j exits %i with one actionable line', (args, status, message) => {
    const run = fastnn(...args);
    expect(run.status).toBe(status);
    expect(run.stderr.split('\n')[0]).toMatch(message);
    if (status === 1) expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('help lists the commands', () => {
    const run = fastnn('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('demo');
  });
});
