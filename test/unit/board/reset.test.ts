import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { SignalsUnsupportedError, type BoardLink, type Clock, type ControlSignals } from '../../../src/board/link.js';
import { parseResetSequence, resetBoard, RESET_SEQUENCES } from '../../../src/board/reset.js';

/** Records control-line changes and writes with the (manual) time they happened at. */
function recorder(signalsWork: boolean): { link: BoardLink; clock: Clock; log: string[] } {
  let t = 0;
  const log: string[] = [];
  const clock: Clock = { now: () => t, sleep: async (ms) => { t += ms; } };
  const link: BoardLink = {
    id: 'rec',
    open: async () => undefined,
    close: async () => undefined,
    read: () => new Promise(() => undefined),
    write: async (d) => { log.push(`${t} write ${JSON.stringify(String(d))}`); },
    setSignals: async (s: ControlSignals) => {
      if (!signalsWork) throw new SignalsUnsupportedError('pty');
      log.push(`${t} ${s.dtr !== undefined ? `DTR=${Number(s.dtr)}` : `RTS=${Number(s.rts)}`}`);
    },
  };
  return { link, clock, log };
}

describe('parseResetSequence', () => {
  it('parses esptool-js custom reset strings (W in ms)', () => {
    expect(parseResetSequence('D0|R1|W100|D1|R0|W50|D0')).toEqual([
      { dtr: false }, { rts: true }, { waitMs: 100 }, { dtr: true }, { rts: false }, { waitMs: 50 }, { dtr: false },
    ]);
  });
  it('rejects bad steps with the step named', () => {
    expect(() => parseResetSequence('D0|X1')).toThrow(InputError);
    expect(() => parseResetSequence('D2')).toThrow(/"D2" must be 0 or 1/);
  });
});

describe('resetBoard', () => {
  it('classic: EN low for 100 ms with IO0 released (esptool HardReset)', async () => {
    const r = recorder(true);
    expect(await resetBoard(r.link, 'classic', r.clock)).toBe('signals');
    expect(r.log).toEqual(['0 DTR=0', '0 RTS=1', '100 RTS=0']);
  });
  it('usb-jtag: EN low 200 ms then 200 ms settle (HardReset uses_usb)', async () => {
    const r = recorder(true);
    await resetBoard(r.link, 'usb-jtag', r.clock);
    expect(r.log).toEqual(['0 DTR=0', '0 RTS=1', '200 RTS=0']);
    expect(r.clock.now()).toBe(400);
  });
  it('the download-mode sequences match esptool ClassicReset and USBJTAGSerialReset', () => {
    // esptool/reset.py ClassicReset: DTR0 RTS1 0.1s DTR1 RTS0 0.05s DTR0
    expect(RESET_SEQUENCES['classic-bootloader']).toBe('D0|R1|W100|D1|R0|W50|D0');
    expect(parseResetSequence(RESET_SEQUENCES['usb-jtag-bootloader']).filter((s) => 'waitMs' in s)).toHaveLength(3);
  });
  it('falls back to the restart command where DTR/RTS are unsupported', async () => {
    const r = recorder(false);
    expect(await resetBoard(r.link, 'classic', r.clock)).toBe('command');
    expect(r.log).toEqual(['0 write "ESPDL-BENCH restart\\n"']);
  });
  it('none does nothing', async () => {
    const r = recorder(true);
    expect(await resetBoard(r.link, 'none', r.clock)).toBe('none');
    expect(r.log).toEqual([]);
  });
});
