import { describe, expect, it } from 'vitest';
import { createProtocolParser, stripAnsi, type ProtocolEvent } from '../../../src/board/protocol.js';

// A hand-written P4 console capture: ROM banner, coloured IDF log lines, then the firmware's records.
const BOOT = [
  'ESP-ROM:esp32p4-eco6-20251011',
  'rst:0x17 (CHIP_USB_UART_RESET),boot:0xc (SPI_FAST_FLASH_BOOT)',
  '\x1b[0;32mI (27) boot: ESP-IDF v5.5.4 2nd stage bootloader\x1b[0m',
  'I esp_psram: Found 32MB PSRAM device',
  '\x1b[0;32mI (2054) main_task: Calling app_main()\x1b[0m',
];
const RECORDS = [
  'ESPDL-BENCH {"type":"hello","protocol":1,"chip":"esp32p4","idf":"v5.5.4","runs":2,"warmup":1}',
  'ESPDL-BENCH {"type":"model","index":0,"name":"model","bytes":7648,"count":1}',
  '\x1b[0;33mW (2274) FbsLoader: CONFIG_SPIRAM_XIP_FROM_PSRAM option is on, fbs model is copied to PSRAM.\x1b[0m',
  'ESPDL-BENCH {"type":"memory","index":0,"internal":1024,"psram":8192,"flash":0}',
  'ESPDL-BENCH {"type":"test","index":0,"result":"pass"}',
  'ESPDL-BENCH {"type":"latency","index":0,"warmup":1,"runs_us":[1200,1100]}',
  'ESPDL-BENCH {"type":"done","models":1,"errors":0}',
];

const kinds = (evs: ProtocolEvent[]): string[] =>
  evs.map((e) => (e.kind === 'record' ? `record:${e.record.type}` : e.kind === 'crash' ? `crash:${e.reason}` : e.kind));

describe('stripAnsi', () => {
  it('removes colour codes, cursor sequences and control characters', () => {
    expect(stripAnsi('\x1b[0;32mI (27) boot: ok\x1b[0m\r')).toBe('I (27) boot: ok');
    expect(stripAnsi('\x1b[2K\x1b[1Gabc\x07')).toBe('abc');
  });
});

describe('createProtocolParser', () => {
  it('parses a clean log into boot, logs and typed records', () => {
    const p = createProtocolParser();
    const evs = [...p.push([...BOOT, ...RECORDS].join('\r\n') + '\r\n'), ...p.end()];
    expect(kinds(evs)).toEqual([
      'boot', 'log', 'log', 'log', 'log',
      'record:hello', 'record:model', 'log', 'record:memory', 'record:test', 'record:latency', 'record:done',
    ]);
    const lat = evs.find((e) => e.kind === 'record' && e.record.type === 'latency');
    expect(lat && lat.kind === 'record' && lat.record.type === 'latency' && lat.record.runs_us).toEqual([1200, 1100]);
    expect(evs[2]).toEqual({ kind: 'log', line: 'I (27) boot: ESP-IDF v5.5.4 2nd stage bootloader' });
  });

  it('gives the same events when the bytes arrive one at a time (split lines, UTF-8 and ANSI)', () => {
    const text = [...BOOT, 'I (3000) app: ünïcode ✓', ...RECORDS].join('\n') + '\n';
    const whole = createProtocolParser().push(text);
    const p = createProtocolParser();
    const bytes = new TextEncoder().encode(text);
    const evs: ProtocolEvent[] = [];
    for (const b of bytes) evs.push(...p.push(new Uint8Array([b])));
    expect(evs).toEqual(whole);
    expect(evs.some((e) => e.kind === 'log' && e.line === 'I (3000) app: ünïcode ✓')).toBe(true);
  });

  it('finds a record behind interleaved log text on the same line', () => {
    const evs = createProtocolParser().push('I (5) x: partial ESPDL-BENCH {"type":"done","models":0}\n');
    expect(kinds(evs)).toEqual(['record:done']);
  });

  it('reports malformed records with the reason', () => {
    const evs = createProtocolParser().push(
      'ESPDL-BENCH {"type":"latency","index":0,"warmup":1,"runs_us":[]}\nESPDL-BENCH {"type":"done",\n' +
        'ESPDL-BENCH {"type":"bogus"}\n',
    );
    expect(kinds(evs)).toEqual(['malformed', 'malformed', 'malformed']);
    expect(evs[0].kind === 'malformed' && evs[0].error).toMatch(/runs_us/);
    expect(evs[1].kind === 'malformed' && evs[1].error).toMatch(/^invalid JSON/);
  });

  it('detects a Guru Meditation panic, abort, assert and brownout', () => {
    const log = [
      "Guru Meditation Error: Core  0 panic'ed (LoadProhibited). Exception was unhandled.",
      'abort() was called at PC 0x40056b7b on core 0',
      'assert failed: dl_model_base.cpp:123 (ptr)',
      'Brownout detector was triggered',
      'Rebooting...',
    ].join('\n');
    expect(kinds(createProtocolParser().push(log + '\n'))).toEqual([
      'crash:guru-meditation', 'crash:abort', 'crash:assert', 'crash:brownout', 'crash:reboot',
    ]);
  });

  it('treats a second ROM banner as a reboot, and a banner after armBoot as expected', () => {
    const p = createProtocolParser();
    const first = p.push('ESP-ROM:esp32s3-20210327\nESPDL-BENCH {"type":"hello","protocol":1,"chip":"esp32s3","runs":1,"warmup":0}\n');
    expect(kinds(first)).toEqual(['boot', 'record:hello']);
    expect(kinds(p.push('ESP-ROM:esp32s3-20210327\n'))).toEqual(['crash:reboot']);
    p.armBoot();
    expect(kinds(p.push('ESP-ROM:esp32s3-20210327\n'))).toEqual(['boot']);
  });

  it('treats a banner after records as a reboot even when the first banner was missed', () => {
    const p = createProtocolParser();
    const evs = p.push('ESPDL-BENCH {"type":"model","index":0,"name":"m","bytes":1}\nets Jul 29 2019 12:21:46\n');
    expect(kinds(evs)).toEqual(['record:model', 'crash:reboot']);
  });

  it('drops an over-long line without newline and resumes at the next line', () => {
    const p = createProtocolParser();
    expect(p.push('x'.repeat(70 * 1024))).toEqual([]);
    const evs = p.push('yyy\nESPDL-BENCH {"type":"done","models":0}\n');
    expect(kinds(evs)).toEqual(['record:done']);
  });

  it('flushes a trailing line without newline at end()', () => {
    const p = createProtocolParser();
    expect(p.push('ESPDL-BENCH {"type":"done","models":2}')).toEqual([]);
    expect(kinds(p.end())).toEqual(['record:done']);
  });
});
