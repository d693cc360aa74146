import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly with?: Record<string, string>;
  readonly shell?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly 'working-directory'?: string;
}

/** `${{ inner }}`, a GitHub Actions expression as action.yml writes it. */
const expression = (inner: string) => `\${{ ${inner} }}`;

const text = await readFile(new URL('../action.yml', import.meta.url), 'utf8');
const action = parse(text) as {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required: boolean; default?: string }>;
  runs: { using: string; steps: Step[] };
};

describe('the GitHub Action (action.yml)', () => {
  it('takes the mode, the config, the token and the log level as inputs', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(['config', 'github-token', 'log-level', 'mode']);
    expect(action.inputs.config).toMatchObject({ required: true });
    // Nothing is deleted unless a workflow asks for apply.
    expect(action.inputs.mode).toMatchObject({ required: false, default: 'plan' });
    expect(action.inputs['github-token']?.default).toBe(expression('github.token'));
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).not.toBe('');
  });

  it('is a composite action: Node 20, then this package built and installed, then the installed bin', () => {
    expect(action.runs.using).toBe('composite');
    const [setup, install, run] = action.runs.steps as [Step, Step, Step];
    expect(action.runs.steps).toHaveLength(3);
    expect(setup.uses).toMatch(/^actions\/setup-node@v\d+$/);
    expect(setup.with?.['node-version']).toBe('20');

    expect(install['working-directory']).toBe(expression('github.action_path'));
    expect(install.run).toMatch(/npm ci\b/);
    expect(install.run).toMatch(/npm pack\b/);
    expect(install.run).toMatch(/npm install --global\b/);

    expect(run.shell).toBe('bash');
    expect(run.env).toMatchObject({
      JANITOR_MODE: expression('inputs.mode'),
      JANITOR_CONFIG: expression('inputs.config'),
      GITHUB_TOKEN: expression('inputs.github-token'),
    });
    expect(run.run).toMatch(/^\s*janitor "\$JANITOR_MODE" --config "\$JANITOR_CONFIG"/m);
    expect(run.run).toContain('--markdown "$report"');
  });

  it('writes the report to the job summary whatever the outcome, and fails the step as janitor exits', () => {
    const run = action.runs.steps[2]?.run ?? '';
    expect(run).toContain('|| status=$?');
    expect(run).toMatch(/cat "\$report" >> "\$GITHUB_STEP_SUMMARY"/);
    expect(run.trim().split('\n').at(-1)).toBe('exit "$status"');
    expect(run).toMatch(/plan\|apply\) ;;/);
  });

  it('runs in bash as written, and refuses a mode other than plan or apply before running anything', () => {
    for (const step of action.runs.steps.filter((each) => each.run)) {
      expect(spawnSync('bash', ['-n', '-c', step.run as string]).status, step.name).toBe(0);
    }
    const refused = spawnSync('bash', ['-c', action.runs.steps[2]?.run as string], {
      env: { PATH: '/usr/bin:/bin', JANITOR_MODE: 'destroy', RUNNER_TEMP: '/nonexistent' },
      encoding: 'utf8',
    });
    expect(refused.status).toBe(2);
    expect(refused.stdout).toContain("::error::mode must be plan or apply, not 'destroy'");
  });

  it('never runs janitor through npx (npx does not pass a cancelled job’s SIGTERM on)', () => {
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toMatch(/\bnpx\b/);
  });
});
