/**
 * The firmware workflows (examples/workflows/firmware.yml for users, .github/workflows/firmware.yml for this
 * project) cannot run here (no Docker): check that they say what they must — every build with ESP-IDF v5.5
 * and a pinned 5.5.x, the commands this repository provides, artifacts the bench can read, the QEMU boot of
 * the ESP32 and ESP32-S3 builds only, and (in CI) the Docker guard. The generic workflow syntax check is
 * test/unit/action/workflows.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/paths.js';
import { firmwareVariants, variantConfig } from '../helpers/sdkconfig.js';

type Obj = Record<string, unknown>;
interface Step { uses?: string; run?: string; with?: Obj; shell?: string; env?: Record<string, string> }
interface Job { container?: string; if?: string; needs?: string; strategy: { matrix: Obj }; steps: Step[] }

const load = (file: string): { text: string; jobs: Record<string, Job> } => {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return { text, jobs: (parse(text) as { jobs: Record<string, Job> }).jobs };
};
const example = load('examples/workflows/firmware.yml');
const ci = load('.github/workflows/firmware.yml');

describe.each([['examples/workflows/firmware.yml', example, 'espdl-autoquant/'], ['.github/workflows/firmware.yml', ci, '']])('%s', (_name, wf, checkout) => {
  it('builds every variant in espressif/idf v5.5 and a pinned 5.5.x patch release', () => {
    const build = wf.jobs['build'];
    expect(build.container).toBe('espressif/idf:${{ matrix.idf }}');
    expect([...(build.strategy.matrix['variant'] as string[])].sort()).toEqual(firmwareVariants());
    const idf = build.strategy.matrix['idf'] as string[];
    expect(idf[0]).toBe('v5.5');
    expect(idf.slice(1).every((v) => /^v5\.5\.\d+$/.test(v))).toBe(true);
    expect(idf.length).toBeGreaterThan(1);
  });

  it('builds with the repository\'s build script inside the ESP-IDF environment', () => {
    const run = wf.jobs['build'].steps.find((s) => s.run?.includes('build-variant.sh'));
    expect(run?.shell).toBe('bash');
    expect(run?.run).toMatch(/\. "\$IDF_PATH\/export\.sh"/);
    // The matrix value reaches the script through env:, never pasted into it (docs/security.md).
    expect(run?.env?.['VARIANT']).toBe('${{ matrix.variant }}');
    expect(run?.run).toContain(`${checkout}runner/firmware/build-variant.sh "$VARIANT" "$GITHUB_WORKSPACE/build"`);
    expect(existsSync(path.join(REPO_ROOT, 'runner/firmware/build-variant.sh'))).toBe(true);
  });

  it('uploads what the bench reads from a build (offsets, images, ELF, which build it is, ESP-DL version)', () => {
    const upload = wf.jobs['build'].steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const paths = String(upload?.with?.['path']).trim().split('\n').map((p) => p.trim());
    for (const p of ['build/flasher_args.json', 'build/*.bin', 'build/*.elf', 'build/bootloader/bootloader.bin', 'build/partition_table/partition-table.bin', 'build/config/sdkconfig.json', 'build/dependencies.lock']) {
      expect(paths).toContain(p);
    }
  });

  it('boots the ESP32 and ESP32-S3 QEMU builds with the example model (no P4: QEMU has none)', () => {
    const qemu = wf.jobs['qemu'];
    expect(qemu.needs).toBe('build');
    const include = qemu.strategy.matrix['include'] as { chip: string; variant: string }[];
    expect(include.map((i) => i.chip).sort()).toEqual(['esp32', 'esp32s3']);
    for (const { chip, variant } of include) {
      const c = variantConfig(variant);
      expect(c.get('CONFIG_IDF_TARGET')).toBe(chip);
      expect(c.get('CONFIG_SPIRAM_MODE_OCT')).toBeUndefined(); // octal PSRAM is not detected in QEMU
    }
    const boot = qemu.steps.find((s) => s.run?.includes('qemu/smoke.mjs'));
    expect(boot?.env?.['CHIP']).toBe('${{ matrix.chip }}');
    expect(boot?.run).toContain(`node ${checkout}qemu/smoke.mjs "$CHIP" "$GITHUB_WORKSPACE/firmware"`);
    expect(boot?.run).toMatch(/\. "\$IDF_PATH\/export\.sh"/);
    expect(qemu.steps.some((s) => s.run?.includes('npm ci'))).toBe(true);
  });

  it('says it has not been run by its authors', () => {
    expect(wf.text).toMatch(/not (been )?run by its authors/i);
  });
});

describe('.github/workflows/firmware.yml', () => {
  it('runs the builds only where a Docker engine answers', () => {
    expect(ci.jobs['docker'].steps[0].run).toContain('docker info');
    expect(ci.jobs['build'].needs).toBe('docker');
    expect(ci.jobs['build'].if).toBe("needs.docker.outputs.available == 'true'");
  });
});

describe('examples/workflows/benchmark.yml', () => {
  it('downloads every firmware build of its chip, for the bench to choose per board', () => {
    const bench = load('examples/workflows/benchmark.yml');
    const dl = bench.jobs['bench'].steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(dl?.with).toMatchObject({ pattern: 'espdl-bench-firmware-esp32p4-*', path: 'firmware' });
    const action = bench.jobs['bench'].steps.find((s) => s.uses === './.espdl-autoquant');
    expect(action?.with).toMatchObject({ firmware: 'firmware', chip: 'esp32p4' });
  });
});
