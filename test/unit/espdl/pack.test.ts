import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packPdl3, unpack } from '../../../src/espdl/pack.js';
import { parseContainer } from '../../../src/espdl/container.js';
import { canonicalView } from '../../../src/espdl/canonical.js';
import { InputError } from '../../../src/errors.js';
import { fixture } from '../../helpers/paths.js';

const load = (name: string) => new Uint8Array(readFileSync(fixture('espdl', name)));
const A = 'test_apps_esp-dl_models_esp32p4_Gemm_linear_ishap_1_16_kshap_16_16_relu_s8.espdl'; // 1824 bytes
const B = 'examples_tutorial_how_to_run_model_main_models_p4_model.espdl'; // 7664 bytes
const C = 'test_apps_esp-dl_models_c_Gemm_linear_ishap_1_31_kshap_32_31_relu_s8.espdl'; // 2624 bytes

describe('packPdl3 / unpack', () => {
  const models = [
    { name: 'zeta.espdl', bytes: load(B) },
    { name: 'alpha.espdl', bytes: load(A) },
    { name: 'mid_model.espdl', bytes: load(C) },
  ];
  const pkg = packPdl3(models, 'v1.0.0');

  it('writes the header, entries, names and padding of pack_espdl_models.py (independent layout computation)', () => {
    const view = new DataView(pkg.buffer, pkg.byteOffset);
    const u32 = (at: number) => view.getUint32(at, true);
    expect(Buffer.from(pkg.subarray(0, 4)).toString('latin1')).toBe('PDL3');
    expect(Buffer.from(pkg.subarray(4, 20)).toString('latin1')).toBe('v1.0.0\0\0\0\0\0\0\0\0\0\0');
    expect(u32(56)).toBe(3);
    // sorted names: alpha (11 bytes), mid_model (15), zeta (10); names start at 60 + 36 = 96
    expect([u32(64), u32(68)]).toEqual([96, 11]);
    expect([u32(76), u32(80)]).toEqual([107, 15]);
    expect([u32(88), u32(92)]).toEqual([122, 10]);
    expect(Buffer.from(pkg.subarray(96, 132)).toString('latin1')).toBe('alpha.espdlmid_model.espdlzeta.espdl');
    // data_offset0 = (132 + 15) & ~15 = 144; each model padded to 16 (1824, 2624, 7664 are already multiples)
    expect([u32(60), u32(72), u32(84)]).toEqual([144, 144 + 1824, 144 + 1824 + 2624]);
    expect(pkg.byteLength).toBe(144 + 1824 + 2624 + 7664);
    expect(u32(20)).toBe(pkg.byteLength);
    expect(Array.from(pkg.subarray(132, 144))).toEqual(new Array(12).fill(0));
    expect(Buffer.from(pkg.subarray(144, 144 + 1824)).equals(Buffer.from(load(A)))).toBe(true);
    const zeroed = Buffer.from(pkg);
    zeroed.fill(0, 24, 56);
    expect(Buffer.from(pkg.subarray(24, 56)).toString('hex')).toBe(createHash('sha256').update(zeroed).digest('hex'));
  });

  it('parseContainer reads it back; unpack returns the same bytes; models stay decodable', () => {
    const c = parseContainer(pkg);
    expect(c.format).toBe('PDL3');
    expect(c.package).toMatchObject({ version: 'v1.0.0', size: pkg.byteLength, sha256Ok: true });
    const back = unpack(pkg);
    expect(back.version).toBe('v1.0.0');
    expect(back.models.map((m) => m.name)).toEqual(['alpha.espdl', 'mid_model.espdl', 'zeta.espdl']);
    for (const m of back.models) {
      const orig = models.find((o) => o.name === m.name)!;
      expect(Buffer.from(m.bytes).equals(Buffer.from(orig.bytes))).toBe(true);
    }
    expect(canonicalView(pkg, { model: 'zeta.espdl' })).toEqual({ ...canonicalView(load(B)), file_bytes: pkg.byteLength });
    expect(canonicalView(pkg, { model: 0 })).toMatchObject({ ir_version: 7, metadata_props: { target: 'esp32p4' } });
  });

  it('pads odd-sized sub-models to 16 and detects a corrupted package', () => {
    const odd = new Uint8Array([...load(A), 0, 0, 0]); // 1827 bytes: trailing bytes after the model
    const p = packPdl3([{ name: 'a.espdl', bytes: odd }]);
    expect(p.byteLength).toBe(Math.ceil((60 + 12 + 7) / 16) * 16 + 1840);
    const bad = p.slice();
    bad[p.byteLength - 1] ^= 1;
    expect(parseContainer(bad).package!.sha256Ok).toBe(false);
    expect(() => unpack(bad, 'x.espdl')).toThrow(/x\.espdl: PDL3 package SHA-256 does not match/);
  });

  it('rejects non-EDL2 models, duplicate names, long versions and truncation', () => {
    expect(() => packPdl3([{ name: 'p.espdl', bytes: pkg }])).toThrow(/PDL3 only supports EDL2 sub-models/);
    expect(() => packPdl3([{ name: 'a.espdl', bytes: load(A) }, { name: 'a.espdl', bytes: load(B) }])).toThrow(/two models are named a\.espdl/);
    expect(() => packPdl3([{ name: 'a.espdl', bytes: load(A) }], 'v1234567890123456')).toThrow(InputError);
    expect(() => parseContainer(pkg.subarray(0, 3000), 'p.espdl')).toThrow(/p\.espdl: truncated file: package_size \d+ at byte 20/);
    expect(() => parseContainer(pkg.subarray(0, 50), 'p.espdl')).toThrow(/needs 60 bytes/);
  });
});
