#!/usr/bin/env node
// Stand-in for qemu-system-xtensa/riscv32 in tests: takes the real QEMU arguments, reads the flash image
// named by `-drive file=…,if=mtd`, finds the candidate written into it (bytes "FAKE-MODEL <behaviour> <µs,…>")
// and prints what the benchmark firmware would print for it, then behaves as scripted:
//   ok     records then idles (like the firmware waiting for commands) until killed
//   testfail  like ok, but Model::test() fails (as it may in QEMU-S3 while passing on silicon)
//   panic  Guru Meditation + "Rebooting..." then exits 0 (QEMU -no-reboot ends on a reset)
//   hang   hello/model records then nothing, forever
//   fail   an error on stderr and exit code 1 (like a bad -drive)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const args = process.argv.slice(2);
const drive = args[args.indexOf('-drive') + 1] ?? '';
const file = /file=([^,]+)/.exec(drive)?.[1];
const image = readFileSync(file);
const text = Buffer.from(image).toString('latin1');
const m = /FAKE-MODEL (\w+) ([\d,]+)/.exec(text);
const [behaviour, runs] = m ? [m[1], m[2].split(',').map(Number)] : ['none', []];
// `-serial tcp::PORT,server,nowait`: the console goes to the first TCP client (buffered until it connects).
const serial = args[args.indexOf('-serial') + 1] ?? '';
const tcpPort = /^tcp::(\d+),server/.exec(serial)?.[1];
let pending = '';
let client;
if (tcpPort) createServer((sock) => { client = sock; sock.write(pending); pending = ''; }).listen(Number(tcpPort), '127.0.0.1');
const out = (s) => (tcpPort ? (client ? client.write(s) : (pending += s)) : process.stdout.write(s));
const rec = (o) => out(`ESPDL-BENCH ${JSON.stringify(o)}\r\n`);
const machine = args[args.indexOf('-machine') + 1];

if (behaviour === 'fail') {
  process.stderr.write(`qemu-system-xtensa: -drive ${drive}: Could not open backing file\n`);
  process.exit(1);
}
out(`ESP-ROM:${machine}-20210327\r\n\x1b[0;32mI (31) boot: ESP-IDF v5.5.4 2nd stage bootloader\x1b[0m\r\n`);
rec({ type: 'hello', protocol: 1, chip: machine, idf: 'v5.5.4', runs: runs.length, warmup: 1, image_bytes: image.length });
rec({ type: 'model', index: 0, name: 'model', bytes: m ? m[0].length : 0, count: 1 });
if (behaviour === 'hang') setInterval(() => undefined, 1000);
else if (behaviour === 'panic') {
  out("Guru Meditation Error: Core  0 panic'ed (IllegalInstruction). Exception was unhandled.\r\nRebooting...\r\n");
  process.exit(0);
} else {
  rec({ type: 'memory', index: 0, internal: 4096, psram: 65536, flash: 0 });
  rec({ type: 'test', index: 0, result: behaviour === 'testfail' ? 'fail' : 'pass' });
  rec({ type: 'latency', index: 0, warmup: 1, runs_us: runs });
  rec({ type: 'done', models: 1, errors: 0 });
  setInterval(() => undefined, 1000);
}
